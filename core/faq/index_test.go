package faq

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"imbot/core"
	"imbot/metric"
)

// shopKB is a small bilingual knowledge base.
func shopKB() KB {
	return KB{Entries: []Entry{
		{ID: "refund", Answer: "Open Orders, pick the order and press Refund. 在订单页选择订单并点击退款。",
			Questions: []string{"How do I get a refund?", "Can I get my money back?", "refund my order", "怎么申请退款", "退款流程是什么", "我想退钱"}},
		{ID: "shipping", Answer: "Orders ship within two working days. 订单两个工作日内发货。",
			Questions: []string{"When will my order ship?", "How long does delivery take?", "shipping time", "多久发货", "什么时候能收到快递", "发货要几天"}},
		{ID: "password", Answer: "Use 'Forgot password' on the sign-in page. 在登录页点击忘记密码。",
			Questions: []string{"I forgot my password", "How do I reset my password?", "can't log in", "忘记密码怎么办", "怎么重置密码", "登录不了"}},
		{ID: "invoice", Answer: "Invoices are under Orders → Invoice. 发票在订单页的发票栏。",
			Questions: []string{"Where is my invoice?", "How do I get a receipt?", "download invoice", "怎么开发票", "发票在哪里下载", "我需要收据"}},
		{ID: "hours", Answer: "Support is open 9:00–18:00 on weekdays. 客服工作日 9 点到 18 点在线。",
			Questions: []string{"When are you open?", "What are your support hours?", "opening hours", "客服几点上班", "你们什么时候营业", "客服工作时间"}},
		{ID: "address", Answer: "You can change the address until the order ships. 发货前可以修改收货地址。",
			Questions: []string{"How do I change my shipping address?", "wrong address on my order", "update delivery address", "怎么修改收货地址", "地址填错了", "更改配送地址"}},
	}}
}

func buildShop(t testing.TB) *Index {
	t.Helper()
	ix, err := Build(context.Background(), shopKB(), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestSearchParaphrases(t *testing.T) {
	ix := buildShop(t)
	tests := []struct {
		q, want string
	}{
		{"how can i get a refund for my order", "refund"},
		{"I want my money back", "refund"},
		{"申请退款", "refund"},
		{"退款怎么操作", "refund"},
		{"how long does shipping take", "shipping"},
		{"订单多久能发货", "shipping"},
		{"reset password", "password"},
		{"密码忘记了", "password"},
		{"where can I download my invoice", "invoice"},
		{"发票怎么下载", "invoice"},
		{"what are your opening hours", "hours"},
		{"客服什么时候上班", "hours"},
		{"change delivery address", "address"},
		{"收货地址填错了怎么改", "address"},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			r := ix.Search(context.Background(), tc.q)
			best, ok := r.Best()
			if !ok || best.ID != tc.want {
				t.Fatalf("best = %q (ok %v), want %q; matches %v", best.ID, ok, tc.want, r.Matches)
			}
			if r.Confidence < 0 || r.Confidence > 1 {
				t.Fatalf("confidence %v outside [0,1]", r.Confidence)
			}
		})
	}
}

func TestSearchTiers(t *testing.T) {
	ix := buildShop(t)
	th := DefaultConfig().Thresholds()
	tests := []struct {
		q    string
		want core.Tier
	}{
		{"How do I get a refund?", core.TierAnswer},
		{"怎么申请退款", core.TierAnswer},
		{"I forgot my password", core.TierAnswer},
		{"tell me a joke", core.TierGeneral},
		{"今天天气怎么样", core.TierGeneral},
		{"what is the capital of France", core.TierGeneral},
		{"", core.TierGeneral},
		{"!!!", core.TierGeneral},
		{"refund", core.TierBusiness}, // one word: never answered directly
		{"退", core.TierBusiness},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			r := ix.Search(context.Background(), tc.q)
			if got := r.Decide(th); got != tc.want {
				t.Fatalf("tier %v (confidence %.3f, matches %v), want %v", got, r.Confidence, r.Matches, tc.want)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	th := Thresholds{Answer: 0.9, Business: 0.5}
	m := []Match{{ID: "a"}}
	tests := []struct {
		r    Result
		want core.Tier
	}{
		{Result{Matches: m, Confidence: 0.95}, core.TierAnswer},
		{Result{Matches: m, Confidence: 0.9}, core.TierAnswer},
		{Result{Matches: m, Confidence: 0.7}, core.TierBusiness},
		{Result{Matches: m, Confidence: 0.5}, core.TierBusiness},
		{Result{Matches: m, Confidence: 0.49}, core.TierGeneral},
		{Result{Confidence: 1}, core.TierGeneral},
		{Result{Matches: m, Confidence: 0.95, Short: true}, core.TierBusiness},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%v/%v", tc.r.Confidence, tc.r.Short), func(t *testing.T) {
			if got := tc.r.Decide(th); got != tc.want {
				t.Fatalf("Decide = %v, want %v", got, tc.want)
			}
		})
	}
	if core.TierAnswer.String() != "answer" || core.TierBusiness.String() != "business" || core.TierGeneral.String() != "general" {
		t.Error("core.Tier.String")
	}
}

func TestPassages(t *testing.T) {
	ix := buildShop(t)
	r := ix.Search(context.Background(), "refund or shipping time of my order")
	ps := r.Passages(3)
	if len(ps) == 0 || len(ps) > 3 {
		t.Fatalf("%d passages", len(ps))
	}
	if !strings.HasPrefix(ps[0], "Open Orders") && !strings.HasPrefix(ps[0], "Orders ship") {
		t.Fatalf("first passage %q is neither the refund nor the shipping answer", ps[0])
	}
	if got := (Result{}).Passages(3); len(got) != 0 {
		t.Fatalf("no matches gave %d passages", len(got))
	}
}

func TestSingleEntryKBIsCautious(t *testing.T) {
	kb := KB{Entries: []Entry{{ID: "only", Answer: "The answer.", Questions: []string{"How do I reset my password?"}}}}
	ix, err := Build(context.Background(), kb, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	th := DefaultConfig().Thresholds()
	if r := ix.Search(context.Background(), "how do i reset my password"); r.Decide(th) != core.TierAnswer {
		t.Errorf("the entry's own question: confidence %.3f, not answered", r.Confidence)
	}
	if r := ix.Search(context.Background(), "my order"); r.Decide(th) == core.TierAnswer {
		t.Errorf("an unrelated query was answered (confidence %.3f)", r.Confidence)
	}
}

func TestConfidenceOrdersRankings(t *testing.T) {
	var strong, weak, empty signals
	strong[sigBias], strong[sigTop], strong[sigRatio], strong[sigCoverWord], strong[sigCoverChar], strong[sigRare] = 1, 0.8, 0.2, 1, 1, 0.9
	weak[sigBias], weak[sigTop], weak[sigRatio], weak[sigCoverWord], weak[sigCoverChar], weak[sigRare] = 1, 0.2, 0.9, 0.3, 0.4, 0.5
	empty[sigBias] = 1
	cs, cw, ce := confidence(strong), confidence(weak), confidence(empty)
	if cs < 0.99 || cw > 0.01 || ce > 0.01 {
		t.Errorf("confidence: strong ranking %.4f, weak %.4f, none %.4f; want > 0.99, < 0.01, < 0.01", cs, cw, ce)
	}
}

func TestBuildRejectsInvalid(t *testing.T) {
	if _, err := Build(context.Background(), KB{}, DefaultConfig()); err == nil {
		t.Fatal("empty KB built")
	}
}

func TestConfigValidate(t *testing.T) {
	if ps := DefaultConfig().Validate(); len(ps) != 0 {
		t.Fatalf("defaults invalid: %v", ps)
	}
	c := DefaultConfig()
	c.AnswerThreshold = 1.5
	c.BusinessThreshold = -1
	c.KnowledgePassages = 99
	c.Embeddings.Provider = "local"
	c.Embeddings.BatchSize = 0
	ps := c.Validate()
	for _, key := range []string{"answer_threshold:", "business_threshold:", "knowledge_passages:", "embeddings.model:", "embeddings.batch_size:"} {
		if !strings.Contains(strings.Join(ps, "\n"), key) {
			t.Errorf("no problem for %s in %v", key, ps)
		}
	}
}

func TestMetrics(t *testing.T) {
	reg := metric.NewRegistry()
	ix, err := Build(context.Background(), shopKB(), DefaultConfig(), WithMetrics(reg))
	if err != nil {
		t.Fatal(err)
	}
	ix.Search(context.Background(), "怎么申请退款")
	var b strings.Builder
	if err := reg.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`imbot_faq_searches_total{mode="lexical"} 1`, "imbot_faq_search_seconds_count 1"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, b.String())
		}
	}
}
