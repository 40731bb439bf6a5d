package knowledge

import (
	"context"
	"testing"

	"imbot/core"
	"imbot/core/faq"
)

// TestBuiltinKnowledgeBase checks that the shipped knowledge base loads and
// that natural questions in both languages are answered from it with the
// default thresholds, while small talk is not.
func TestBuiltinKnowledgeBase(t *testing.T) {
	kb, err := faq.Parse(builtinFAQ)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(kb.Entries); n < 20 || n > 40 {
		t.Fatalf("%d entries, want 20–40", n)
	}
	ix, err := faq.Build(context.Background(), kb, faq.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	th := faq.DefaultConfig().Thresholds()
	tests := []struct {
		q, want string // want "" means: not answered from the FAQ
	}{
		{"how do I connect telegram", "connect-telegram"},
		{"how can I hook the bot up to Feishu?", "connect-feishu"},
		{"can I run it with ollama", "local-model"},
		{"where does the bot store its data", "data-location"},
		{"what does the /reset command do", "reset-command"},
		{"怎么接入飞书机器人", "connect-feishu"},
		{"怎么清空聊天记录？", "reset-command"},
		{"模型怎么配置", "connect-model"},
		{"数据保存在哪里", "data-location"},
		{"tell me a joke", ""},
		{"今天天气怎么样", ""},
		{"write me a poem about the sea", ""},
		{"帮我翻译一下这句话", ""},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			r := ix.Search(context.Background(), tc.q)
			best, _ := r.Best()
			answered := r.Decide(th) == core.TierAnswer
			switch {
			case tc.want == "" && answered:
				t.Fatalf("answered from the FAQ with %q (confidence %.3f)", best.ID, r.Confidence)
			case tc.want != "" && (!answered || best.ID != tc.want):
				t.Fatalf("best %q, confidence %.3f, answered %v; want %q answered", best.ID, r.Confidence, answered, tc.want)
			}
		})
	}
}
