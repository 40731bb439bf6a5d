package knowledge

import (
	"bytes"
	"context"
	"encoding/base64"
	"testing"

	"imbot/core"
	"imbot/core/catalog"
	"imbot/core/faq"
)

// TestBuiltinKnowledgeBase checks that the shipped knowledge base loads and
// that natural questions in both languages are answered from it with the
// default thresholds, while small talk is not. A question whose runner-up
// shares all its words goes to the business chain with the right entry first
// among the passages.
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
		q, want  string // want "" means: not answered from the FAQ
		business bool   // the business chain answers, with want as the best passage
	}{
		{q: "how do I connect telegram", want: "connect-telegram"},
		{q: "how can I hook the bot up to Feishu?", want: "connect-feishu"},
		{q: "can I run it with ollama", want: "local-model"},
		{q: "where does the bot store its data", want: "data-location"},
		{q: "what does the /reset command do", want: "reset-command", business: true},
		{q: "怎么接入飞书机器人", want: "connect-feishu"},
		{q: "怎么清空聊天记录？", want: "reset-command"},
		{q: "模型怎么配置", want: "connect-model"},
		{q: "数据保存在哪里", want: "data-location"},
		{q: "tell me a joke", want: ""},
		{q: "今天天气怎么样", want: ""},
		{q: "write me a poem about the sea", want: ""},
		{q: "帮我翻译一下这句话", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			r := ix.Search(context.Background(), tc.q)
			best, _ := r.Best()
			answered := r.Decide(th) == core.TierAnswer
			switch {
			case tc.business:
				if r.Decide(th) != core.TierBusiness || best.ID != tc.want {
					t.Fatalf("best %q, confidence %.3f, tier %v; want %q first, business tier", best.ID, r.Confidence, r.Decide(th), tc.want)
				}
			case tc.want == "" && answered:
				t.Fatalf("answered from the FAQ with %q (confidence %.3f)", best.ID, r.Confidence)
			case tc.want != "" && (!answered || best.ID != tc.want):
				t.Fatalf("best %q, confidence %.3f, answered %v; want %q answered", best.ID, r.Confidence, answered, tc.want)
			}
		})
	}
}

// TestBuiltinIndexIsCurrent checks that the snapshot the daemon restores is
// the index faq.Build makes of faq.toml today: a change to either the file
// or the index code needs `go generate ./knowledge`.
func TestBuiltinIndexIsCurrent(t *testing.T) {
	kb, err := faq.Parse(builtinFAQ)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := faq.Build(context.Background(), kb, faq.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	data, err := base64.StdEncoding.DecodeString(builtinIndex)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, ix.Snapshot()) {
		t.Fatal("builtin_index.b64 does not match faq.toml and the index code: run go generate ./knowledge")
	}
}

func TestOpenRestoresTheBuiltinIndexAtOnce(t *testing.T) {
	k, err := Open(context.Background(), faq.DefaultConfig(), quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	select {
	case <-k.ready:
	default:
		t.Fatal("the built-in index is not in use when Open returns")
	}
	if m := k.Lookup(context.Background(), "how do I connect telegram"); m.EntryID != "connect-telegram" || m.Tier != core.TierAnswer {
		t.Fatalf("lookup: %+v", m)
	}
	if got := k.Examples(catalog.EN, 2); len(got) != 2 {
		t.Fatalf("Examples = %q", got)
	}
}
