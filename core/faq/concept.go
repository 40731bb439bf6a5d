package faq

import (
	"math"
	"strings"
)

// conceptGroups is a small thesaurus of everyday customer-service vocabulary
// in English and Chinese: each line is one concept, its words and phrases
// separated by commas. It was written from general knowledge of shop and
// service questions, not from any knowledge base or test query. English
// words are matched by their stem (see stem), so one form per word is enough;
// an English phrase is two consecutive words. Chinese terms are matched as
// substrings of a run of Chinese characters. A concept is indexed beside the
// words that name it, so "send back" matches "return" and "退回" matches
// "退货" while the words themselves still tell the two apart.
const conceptGroups = `return, send back, give back, take back, 退货, 退回, 寄回, 退还, 退换
refund, money back, reimburse, reimbursement, 退款, 退钱, 返款
exchange, swap, replace, replacement, 换货, 更换, 调换, 换一个
ship, deliver, delivery, dispatch, courier, post, mail, parcel, package, 发货, 快递, 物流, 配送, 送货, 邮寄, 包裹
shipping cost, postage, delivery fee, shipping fee, 运费, 邮费, 快递费, 配送费
arrive, arrival, receive, 到货, 收到, 送达, 寄到, 送到
track, tracking, trace, status, 查询, 追踪, 跟踪, 单号, 物流信息
order, purchase, buy, 订单, 下单, 购买
cancel, unsubscribe, call off, 取消, 撤销, 退订
account, profile, 账号, 账户, 帐号, 帐户, 个人资料
login, log in, sign in, logon, 登录, 登陆
register, sign up, registration, 注册
password, passcode, 密码
forget, reset, recover, 忘记, 忘了, 重置, 找回
pay, payment, checkout, 付款, 支付, 付钱, 结账, 买单
card, credit card, debit card, 信用卡, 银行卡, 储蓄卡
installment, instalment, 分期
price, cost, fee, how much, expensive, cheap, 价格, 价钱, 多少钱, 费用, 收费, 便宜
free, no charge, 免费, 包邮, 不要钱
discount, coupon, promo, promotion, voucher, sale, deal, 优惠, 折扣, 打折, 优惠券, 促销, 满减
invoice, receipt, 发票, 收据, 开票
warranty, guarantee, 保修, 质保, 三包
repair, fix, 维修, 修理, 修好
broken, damage, defective, faulty, not work, 坏了, 损坏, 破损, 故障, 不能用, 用不了
wrong, incorrect, mistake, 发错, 错了, 不对
missing, lost, never arrive, 丢失, 丢件, 没收到, 少件, 漏发
contact, reach, call, phone, email, customer service, support, agent, human, 联系, 客服, 人工, 电话, 邮箱
hour, open, opening, closing, 营业, 营业时间, 开门, 关门, 几点
store, shop, branch, outlet, 门店, 实体店, 店铺, 线下店, 商店
address, 地址, 收货地址
change, modify, edit, update, alter, 修改, 更改, 改成, 变更, 更新
size, fit, measurement, 尺码, 尺寸, 大小, 码数
stock, in stock, available, availability, sold out, out of stock, restock, 有货, 缺货, 库存, 现货, 补货, 卖完
gift, present, wrap, 礼物, 礼品, 礼盒
member, membership, loyalty, point, reward, vip, 会员, 积分
subscription, subscribe, newsletter, 订阅
international, abroad, overseas, foreign, worldwide, country, 国外, 海外, 国际, 境外
how long, 多久, 多长时间, 几天, 多少天
privacy, personal data, personal information, 隐私, 个人信息
delete, remove, close account, 删除, 注销
app, mobile, application, 应用, 客户端, 手机端
genuine, authentic, original, fake, counterfeit, 正品, 假货, 真假, 原装
wholesale, bulk, 批发, 团购, 大批量
quality, 质量, 品质
clean, wash, care, 清洗, 清洁, 保养
expire, expiry, shelf life, best before, 保质期, 过期, 有效期
cod, 货到付款
student, 学生
`

// conceptWeight is the term-frequency factor of a concept feature relative
// to a word, for a knowledge base with perEntry example questions per entry
// on average: 1 for one example, falling as 1/√perEntry. Concepts bridge
// paraphrases that few examples cannot; with many examples per entry the
// examples already span the wording, and concepts shared between entries
// only blur them (on CLINC150, 100 examples per intent, full-weight
// concepts lowered the tuned coverage from 0.58 to 0.53).
func conceptWeight(perEntry float64) float32 {
	return float32(1 / math.Sqrt(max(perEntry, 1)))
}

// concepts is the concept table built from conceptGroups: a term (an English
// stem or stem pair joined by a space, or a Chinese word) → concept number,
// plus the longest Chinese term in runes. It is read-only once built.
type concepts struct {
	ids      map[string]uint32
	maxRunes int
}

// conceptTable is built once at package initialisation and never modified.
var conceptTable = buildConcepts(conceptGroups)

// buildConcepts parses groups: one concept per line, terms separated by
// commas. English words are stored by stem.
func buildConcepts(groups string) concepts {
	c := concepts{ids: make(map[string]uint32)}
	for id, line := range strings.Split(strings.TrimSpace(groups), "\n") {
		for _, term := range strings.Split(line, ",") {
			term = strings.TrimSpace(term)
			key := conceptKey(term)
			c.ids[key] = uint32(id + 1)
			if n := len([]rune(key)); key != "" && key[0] >= 0x80 {
				c.maxRunes = max(c.maxRunes, n)
			}
		}
	}
	return c
}

// conceptKey returns the lookup key of a term: the stems of its English
// words joined by a space, or the term itself when it is Chinese.
func conceptKey(term string) string {
	if term == "" || term[0] >= 0x80 {
		return term
	}
	words := strings.Fields(term)
	for i, w := range words {
		words[i] = string(stem([]byte(w)))
	}
	return strings.Join(words, " ")
}
