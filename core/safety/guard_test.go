package safety

import (
	"context"
	"strings"
	"sync"
	"testing"

	"imbot/core"
	"imbot/core/safety/words"
)

// recordingWriter keeps every text the adapter would see.
type recordingWriter struct {
	mu      sync.Mutex
	updates []string
}

func (w *recordingWriter) Update(_ context.Context, text string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.updates = append(w.updates, text)
	return nil
}

func (w *recordingWriter) Finish(context.Context, core.Reply) error { return nil }

// chunkAnswerer streams its chunks as a router does (the whole text so far)
// and records the questions it was asked.
type chunkAnswerer struct {
	chunks []string
	asked  []string
}

func (a *chunkAnswerer) Answer(ctx context.Context, env core.Envelope, w core.ReplyWriter) core.Answer {
	a.asked = append(a.asked, env.Text)
	var b strings.Builder
	for _, c := range a.chunks {
		b.WriteString(c)
		_ = w.Update(ctx, b.String())
	}
	return core.Answer{Reply: core.Reply{Text: b.String(), Route: core.RouteModel}}
}

func testMatcher(t *testing.T) *words.Matcher {
	t.Helper()
	l, err := words.Parse("banned", []byte("赌博\nonline casino\n"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := words.New(l)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestGuardRefusesSensitiveQuestions(t *testing.T) {
	for _, tc := range []struct{ question, want string }{
		{"哪里可以赌博？", "抱歉，我无法回应这条消息。"},
		{"where is the best ONLINE CASINO", "Sorry, I can't respond to that message."},
		{"ｏｎｌｉｎｅ　ｃａｓｉｎｏ please", "Sorry, I can't respond to that message."},
	} {
		t.Run(tc.question, func(t *testing.T) {
			next := &chunkAnswerer{chunks: []string{"never"}}
			g, err := NewGuard(next, DefaultConfig(), testMatcher(t))
			if err != nil {
				t.Fatal(err)
			}
			ans := g.Answer(t.Context(), core.Envelope{Platform: "web", UserID: "u", Text: tc.question}, &recordingWriter{})
			if len(next.asked) != 0 {
				t.Fatalf("the answerer was asked %q", next.asked)
			}
			if ans.Reply.Refusal != core.RefusalSensitive || ans.Reply.Text != tc.want {
				t.Fatalf("reply = %+v, want the refusal %q", ans.Reply, tc.want)
			}
		})
	}
}

func TestGuardRefusalOverride(t *testing.T) {
	cfg := DefaultConfig()
	cfg.RefusalReply = "不行 / no"
	g, err := NewGuard(&chunkAnswerer{}, cfg, testMatcher(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Answer(t.Context(), core.Envelope{Text: "赌博"}, &recordingWriter{}).Reply.Text; got != cfg.RefusalReply {
		t.Fatalf("refusal = %q, want the override", got)
	}
}

func TestGuardMasksStreamedAnswerAcrossChunks(t *testing.T) {
	next := &chunkAnswerer{chunks: []string{"try an onl", "ine cas", "ino or 赌", "博 now"}}
	g, err := NewGuard(next, DefaultConfig(), testMatcher(t))
	if err != nil {
		t.Fatal(err)
	}
	w := &recordingWriter{}
	ans := g.Answer(t.Context(), core.Envelope{Text: "what should I do?"}, w)
	const want = "try an *** or *** now"
	if ans.Reply.Text != want {
		t.Fatalf("final = %q, want %q", ans.Reply.Text, want)
	}
	for _, u := range w.updates {
		if strings.Contains(u, "casino") || strings.Contains(u, "赌") || !strings.HasPrefix(want, u) {
			t.Fatalf("update %q leaks a word or is not a prefix of the masked answer", u)
		}
	}
	if len(w.updates) == 0 {
		t.Fatal("no update reached the adapter")
	}
}

func TestGuardTruncatesLongInput(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxInputChars = 5
	next := &chunkAnswerer{chunks: []string{"ok"}}
	g, err := NewGuard(next, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ans := g.Answer(t.Context(), core.Envelope{Text: "一二三四五六七"}, &recordingWriter{})
	if len(next.asked) != 1 || next.asked[0] != "一二三四五" {
		t.Fatalf("asked %q, want the first 5 characters", next.asked)
	}
	if !strings.HasPrefix(ans.Reply.Text, "ok\n\n") || !strings.Contains(ans.Reply.Text, "前 5 个字符") {
		t.Fatalf("reply %q lacks the truncation notice", ans.Reply.Text)
	}
}
