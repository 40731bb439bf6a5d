package knowledge

import (
	"context"
	"strings"
	"testing"
	"unicode"

	"imbot/core"
	"imbot/core/faq"
)

// TestBuiltinFAQSetupQuestions checks that the built-in knowledge base answers setup
// questions worded unlike its examples, in the language they were asked in,
// and never answers chit-chat or one-word messages.
func TestBuiltinFAQSetupQuestions(t *testing.T) {
	kb, err := faq.Parse(builtinFAQ)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := faq.Build(context.Background(), kb, faq.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	th := faq.DefaultConfig().Thresholds()
	tests := []struct {
		q, want string // want "" means: not answered from the FAQ
	}{
		{"How do I configure a model provider?", "connect-model"},
		{"如何配置模型", "connect-model"},
		{"where does the API key go", "api-key"},
		{"how do I run it as a service", "deploy-systemd"},
		{"how do i back up my data", "backup"},
		{"飞书怎么接", "connect-feishu"},
		{"data", ""},
		{"#long", ""},
		{"hi", ""},
		{"嗯", ""},
		{"what's the weather today", ""},
		{"今天吃什么", ""},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			r := ix.Search(context.Background(), tc.q)
			m, _ := r.Best()
			answered := r.Decide(th) == core.TierAnswer
			switch {
			case tc.want == "" && answered:
				t.Fatalf("answered with %s (confidence %.3f)", m.ID, r.Confidence)
			case tc.want != "" && (!answered || m.ID != tc.want):
				t.Fatalf("best %s, confidence %.3f, tier %v; want %s answered", m.ID, r.Confidence, r.Decide(th), tc.want)
			case tc.want != "" && hasHan(m.Answer) != hasHan(tc.q):
				t.Fatalf("reply %q is not in the language of the question", m.Answer)
			}
		})
	}
}

// TestBuiltinFAQEntries checks that every built-in entry has at least five
// example questions in each language and an answer in each.
func TestBuiltinFAQEntries(t *testing.T) {
	kb, err := faq.Parse(builtinFAQ)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range kb.Entries {
		zh := 0
		for _, q := range e.Questions {
			if hasHan(q) {
				zh++
			}
		}
		if en := len(e.Questions) - zh; zh < 5 || en < 5 {
			t.Errorf("%s: %d English and %d Chinese questions, want ≥ 5 each", e.ID, en, zh)
		}
		if strings.TrimSpace(e.AnswerZH) == "" || strings.TrimSpace(e.AnswerEN) == "" || hasHan(e.AnswerEN) {
			t.Errorf("%s: want answer_zh and answer_en, each in its language", e.ID)
		}
	}
}

func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}
