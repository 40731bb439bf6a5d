package onboard

import (
	"fmt"
	"strings"
)

// Lang is the language the wizard speaks.
type Lang int

// The wizard's languages.
const (
	ZH Lang = iota
	EN
)

// LangFromEnv picks the language from a LANG-style value: Chinese for
// "zh…", English otherwise.
func LangFromEnv(lang string) Lang {
	if strings.HasPrefix(strings.ToLower(lang), "zh") {
		return ZH
	}
	return EN
}

// msg names one text of the wizard.
type msg int

// The wizard's texts; texts holds each in Chinese and English.
const (
	msgLanguage msg = iota
	msgWelcome
	msgExists
	msgKeepExisting
	msgListen
	msgBadListen
	msgWeb
	msgTelegram
	msgTelegramToken
	msgBadTelegramToken
	msgFeishu
	msgFeishuRegion
	msgFeishuAppID
	msgFeishuSecret
	msgBadFeishuAppID
	msgProviderChoice
	msgProviderURL
	msgBadURL
	msgProviderModel
	msgProviderKey
	msgProviderKeyOptional
	msgAnother
	msgChecking
	msgRetry
	msgRequired
	msgYesNo
	msgBadChoice
	msgWrote
	msgNext
	msgSecretHidden
	msgInputEnded
	msgCount // keep last
)

// texts are the wizard's texts: [ZH, EN]. Placeholders are {name}.
var texts = [msgCount][2]string{
	msgLanguage:            {"语言 / Language: 1) 中文 2) English", "语言 / Language: 1) 中文 2) English"},
	msgWelcome:             {"欢迎使用 imbot。回答几个问题，生成配置文件 {config} 和密钥文件 {env}。方括号中是默认值，直接回车即采用。", "Welcome to imbot. A few questions write the config {config} and the secrets file {env}. Defaults are in brackets; press Enter to take them."},
	msgExists:              {"{config} 已存在。覆盖它吗？", "{config} exists. Overwrite it?"},
	msgKeepExisting:        {"已保留原有配置，未写入任何文件。", "Kept the existing config; nothing was written."},
	msgListen:              {"监听地址（网页聊天、Webhook、/healthz）", "Listen address (web chat, webhooks, /healthz)"},
	msgBadListen:           {"需要 主机:端口，例如 127.0.0.1:8080", "want host:port, e.g. 127.0.0.1:8080"},
	msgWeb:                 {"启用网页聊天？", "Enable the web chat?"},
	msgTelegram:            {"启用 Telegram？", "Enable Telegram?"},
	msgTelegramToken:       {"Telegram 机器人 token（来自 @BotFather）", "Telegram bot token (from @BotFather)"},
	msgBadTelegramToken:    {"token 的格式是 数字:字母数字，例如 123456:ABC-def", "a token looks like digits:letters, e.g. 123456:ABC-def"},
	msgFeishu:              {"启用飞书？", "Enable Feishu/Lark?"},
	msgFeishuRegion:        {"1) 飞书（open.feishu.cn） 2) Lark 国际版（open.larksuite.com）", "1) Feishu (open.feishu.cn) 2) Lark (open.larksuite.com)"},
	msgFeishuAppID:         {"飞书应用 App ID（cli_ 开头）", "Feishu app ID (starts with cli_)"},
	msgFeishuSecret:        {"飞书应用 App Secret", "Feishu app secret"},
	msgBadFeishuAppID:      {"App ID 以 cli_ 开头", "an app ID starts with cli_"},
	msgProviderChoice:      {"选择模型服务：1) OpenAI 2) DeepSeek 3) 通义千问/DashScope 4) Ollama（本机） 5) 其他 OpenAI 兼容地址", "Choose a model provider: 1) OpenAI 2) DeepSeek 3) Qwen/DashScope 4) Ollama (this machine) 5) another OpenAI-compatible URL"},
	msgProviderURL:         {"API 地址（含 /v1）", "API base URL (with /v1)"},
	msgBadURL:              {"需要 http:// 或 https:// 开头的地址", "want an http:// or https:// URL"},
	msgProviderModel:       {"模型名", "Model name"},
	msgProviderKey:         {"{name} 的 API key", "API key for {name}"},
	msgProviderKeyOptional: {"{name} 的 API key（没有则直接回车）", "API key for {name} (Enter for none)"},
	msgAnother:             {"再添加一个模型服务（作为后备）？", "Add another provider (as a fallback)?"},
	msgChecking:            {"正在检查…", "Checking…"},
	msgRetry:               {"重新输入吗？（选 n 则保留当前值）", "Enter it again? (n keeps this value)"},
	msgRequired:            {"不能为空", "must not be empty"},
	msgYesNo:               {"请回答 y 或 n", "please answer y or n"},
	msgBadChoice:           {"请输入 1 到 {n} 之间的数字", "please answer a number from 1 to {n}"},
	msgWrote:               {"已写入 {config}（配置）和 {env}（密钥），权限均为 0600。", "Wrote {config} (config) and {env} (secrets), both mode 0600."},
	msgNext:                {"下一步：imbot check -config {config}，然后 imbot serve -config {config}", "Next: imbot check -config {config}, then imbot serve -config {config}"},
	msgSecretHidden:        {"（输入不会显示）", "(input is hidden)"},
	msgInputEnded:          {"输入已结束，未写入任何文件", "input ended; nothing was written"},
}

// text returns m in lang with its {name} placeholders replaced by args,
// given as name, value pairs.
func text(lang Lang, m msg, args ...any) string {
	s := texts[m][lang]
	for i := 0; i+1 < len(args); i += 2 {
		s = strings.ReplaceAll(s, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
	}
	return s
}
