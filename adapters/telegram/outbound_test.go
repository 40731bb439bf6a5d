package telegram

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"imbot/adapters/telegram/telegramtest"
	"imbot/core"
)

var (
	dmEnv    = core.Envelope{Platform: Platform, ChatID: "42", ChatKind: core.ChatDirect, MessageID: "7", EventID: "1001"}
	groupEnv = core.Envelope{Platform: Platform, ChatID: "-100200", ChatKind: core.ChatGroup, MessageID: "9", EventID: "1002"}
)

// replyWith streams updates and then finishes with final.
func replyWith(t *testing.T, a *Adapter, env core.Envelope, updates []string, final string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	w, err := a.Reply(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range updates {
		if err := w.Update(ctx, u); err != nil {
			t.Fatalf("Update: %v", err)
		}
	}
	return w.Finish(ctx, core.Reply{Text: final, Route: core.RouteModel})
}

func TestDirectReplyStreamsDraftsThenMessage(t *testing.T) {
	fake := newFake(t)
	a := newAdapter(t, testConfig(fake), &memCursors{})
	if err := replyWith(t, a, dmEnv, []string{"Hel", "Hello **wor"}, "Hello **world**"); err != nil {
		t.Fatal(err)
	}
	drafts := fake.Calls("sendMessageDraft")
	if len(drafts) != 2 || drafts[0].Params["text"] != "Hel" || drafts[1].Params["text"] != "Hello **wor" {
		t.Fatalf("drafts %+v", drafts)
	}
	if drafts[0].Params["draft_id"] == "" || drafts[0].Params["draft_id"] != drafts[1].Params["draft_id"] {
		t.Errorf("draft ids %q and %q, want one non-empty id", drafts[0].Params["draft_id"], drafts[1].Params["draft_id"])
	}
	if got := fake.Draft(42); got != "" {
		t.Errorf("the draft %q still shows after the final message", got)
	}
	sent := fake.Sent(42)
	if len(sent) != 1 || sent[0].Text != "Hello <b>world</b>" || sent[0].ParseMode != "HTML" || sent[0].ReplyTo != 0 {
		t.Fatalf("sent %+v", sent)
	}
}

func TestGroupReplyEditsOneMessage(t *testing.T) {
	fake := newFake(t)
	a := newAdapter(t, testConfig(fake), &memCursors{})
	if err := replyWith(t, a, groupEnv, []string{"a", "ab", "ab"}, "ab *c*"); err != nil {
		t.Fatal(err)
	}
	sent := fake.Sent(-100200)
	if len(sent) != 1 || sent[0].Text != "ab <i>c</i>" || sent[0].ReplyTo != 9 {
		t.Fatalf("sent %+v", sent)
	}
	if sent[0].Edits != 2 || len(fake.Calls("editMessageText")) != 2 {
		t.Errorf("%d edits and %d edit calls, want 2 (an unchanged text is not re-sent)", sent[0].Edits, len(fake.Calls("editMessageText")))
	}
	if len(fake.Calls("sendMessageDraft")) != 0 {
		t.Error("drafts sent to a group")
	}
}

// testClock is a clock a test moves by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestGroupEditsArePaced(t *testing.T) {
	fake := newFake(t)
	cfg := testConfig(fake)
	cfg.EditInterval = 300 * time.Millisecond
	clock := &testClock{now: time.Unix(1_700_000_000, 0)}
	a := newAdapter(t, cfg, &memCursors{}, WithClock(clock.Now))
	ctx := context.Background()
	w, err := a.Reply(ctx, groupEnv)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		advance time.Duration
		text    string
	}{{0, "a"}, {cfg.EditInterval, "ab"}, {cfg.EditInterval / 2, "abc"}, {cfg.EditInterval / 2, "abcd"}, {0, "abcde"}}
	for _, s := range steps {
		clock.advance(s.advance)
		if err := w.Update(ctx, s.text); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(ctx, core.Reply{Text: "abcdef"}); err != nil {
		t.Fatal(err)
	}
	sends, edits := fake.Calls("sendMessage"), fake.Calls("editMessageText")
	if len(sends) != 1 || sends[0].Params["text"] != "ab" {
		t.Fatalf("sends %+v, want the first after one interval (\"ab\")", sends)
	}
	if len(edits) != 2 || edits[0].Params["text"] != "abcd" || edits[1].Params["text"] != "abcdef" {
		t.Fatalf("edits %+v, want one per interval (\"abcd\") and the final one at once", edits)
	}
}

// testChat is the numeric chat id of a test envelope.
func testChat(env core.Envelope) int64 {
	if env.ChatKind == core.ChatGroup {
		return -100200
	}
	return 42
}

func TestShortAnswerIsOneMessage(t *testing.T) {
	for _, env := range []core.Envelope{groupEnv, dmEnv} {
		t.Run(env.ChatKind.String(), func(t *testing.T) {
			fake := newFake(t)
			cfg := testConfig(fake)
			def := DefaultConfig()
			cfg.EditInterval, cfg.DraftInterval, cfg.GlobalRate = def.EditInterval, def.DraftInterval, def.GlobalRate
			a := newAdapter(t, cfg, &memCursors{})
			ctx, cancel := context.WithCancel(context.Background())
			a.Typing(ctx, env)
			err := replyWith(t, a, env, []string{"The", "The answer", "The answer is"}, "The answer is short.")
			cancel()
			a.stopTyping()
			if err != nil {
				t.Fatal(err)
			}
			if n := len(fake.Calls("")); n != 1 {
				t.Errorf("%d Bot API calls, want 1 (the final message)", n)
			}
			if sent := fake.Sent(testChat(env)); len(sent) != 1 || sent[0].Edits != 0 {
				t.Errorf("sent %+v, want one message", sent)
			}
		})
	}
}

func TestLongAnswerArrivesAsThreeMessages(t *testing.T) {
	md := longAnswer(12000)
	for _, env := range []core.Envelope{groupEnv, dmEnv} {
		t.Run(env.ChatKind.String(), func(t *testing.T) {
			fake := newFake(t)
			a := newAdapter(t, testConfig(fake), &memCursors{})
			if err := replyWith(t, a, env, []string{md[:3000], md[:6000], md[:9000]}, md); err != nil {
				t.Fatal(err)
			}
			chat := int64(42)
			if env.ChatKind == core.ChatGroup {
				chat = -100200
			}
			sent := fake.Sent(chat)
			if len(sent) != 3 {
				t.Fatalf("%d messages, want 3", len(sent))
			}
			var plain []string
			for i, m := range sent {
				if n := telegramtest.UTF16Len(m.Plain); n > maxMessageLen {
					t.Errorf("message %d: %d UTF-16 units", i, n)
				}
				if (m.ReplyTo != 0) != (i == 0 && env.ChatKind == core.ChatGroup) {
					t.Errorf("message %d replies to %d", i, m.ReplyTo)
				}
				plain = append(plain, m.Plain)
			}
			want := strings.Fields(strings.ReplaceAll(md, "**", ""))
			if got := strings.Fields(strings.Join(plain, " ")); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Error("the three messages do not read as the answer, in order")
			}
		})
	}
}

func TestUnparsableHTMLFallsBackToPlainText(t *testing.T) {
	fake := newFake(t)
	fake.Fail("sendMessage", telegramtest.CantParseEntities())
	a := newAdapter(t, testConfig(fake), &memCursors{})
	if err := replyWith(t, a, groupEnv, nil, "**broken** <markdown & `code"); err != nil {
		t.Fatal(err)
	}
	calls := fake.Calls("sendMessage")
	if len(calls) != 2 || calls[0].Code != 400 || calls[0].Params["parse_mode"] != "HTML" || calls[1].Params["parse_mode"] != "" {
		t.Fatalf("calls %+v", calls)
	}
	if got := fake.Sent(-100200)[0].Text; got != "broken <markdown & `code" {
		t.Errorf("plain text %q", got)
	}
}

func TestRateLimitStormIsHonoured(t *testing.T) {
	fake := newFake(t)
	fake.Fail("sendMessage", telegramtest.TooManyRequests(1), telegramtest.TooManyRequests(1))
	a := newAdapter(t, testConfig(fake), &memCursors{})
	if err := replyWith(t, a, groupEnv, []string{"first"}, "final"); err != nil {
		t.Fatal(err)
	}
	calls := fake.Calls("sendMessage")
	if len(calls) != 3 {
		t.Fatalf("%d sendMessage calls, want 2 refused and 1 sent", len(calls))
	}
	// The streamed update hit the first 429 and was skipped; Finish waited
	// out retry_after before each further try.
	for i := 1; i < len(calls); i++ {
		if gap := calls[i].At.Sub(calls[i-1].At); gap < time.Second {
			t.Errorf("try %d came %v after a 429 with retry_after 1s", i+1, gap)
		}
	}
	if sent := fake.Sent(-100200); len(sent) != 1 || sent[0].Text != "final" {
		t.Errorf("sent %+v", sent)
	}
}

func TestTransientFailuresAreRetried(t *testing.T) {
	fake := newFake(t)
	fake.Fail("editMessageText", telegramtest.BadGateway(), telegramtest.BadGateway())
	a := newAdapter(t, testConfig(fake), &memCursors{})
	if err := replyWith(t, a, groupEnv, []string{"x"}, "y"); err != nil {
		t.Fatalf("Finish after two 502s: %v", err)
	}
	if got := fake.Sent(-100200); len(got) != 1 || got[0].Text != "y" {
		t.Errorf("sent %+v", got)
	}
	if n := len(fake.Calls("editMessageText")); n != 3 {
		t.Errorf("%d edit calls, want 2 failed and 1 retried", n)
	}
}

// A new message whose request got no answer may have been posted: Finish
// does not send it again and says so; an edit is safe to repeat and is
// retried.
func TestUnansweredSendIsNotRepeated(t *testing.T) {
	for _, tc := range []struct {
		name    string
		failure telegramtest.Failure
		posted  int
	}{
		{"hang", telegramtest.Hang(), 0},
		{"lost response", telegramtest.LoseResponse(), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := newFake(t)
			fake.Fail("sendMessage", tc.failure)
			cfg := testConfig(fake)
			cfg.RequestTimeout = 200 * time.Millisecond
			a := newAdapter(t, cfg, &memCursors{})
			err := replyWith(t, a, groupEnv, nil, "answer")
			if !errors.Is(err, core.ErrReplyUncertain) {
				t.Fatalf("Finish = %v, want core.ErrReplyUncertain", err)
			}
			if n := len(fake.Calls("sendMessage")); n != 1 {
				t.Errorf("%d sendMessage calls, want 1", n)
			}
			if got := fake.Sent(-100200); len(got) != tc.posted {
				t.Errorf("posted %+v, want %d", got, tc.posted)
			}
		})
	}
}

func TestHangingEditIsCutOffAndRetried(t *testing.T) {
	fake := newFake(t)
	fake.Fail("editMessageText", telegramtest.Hang())
	cfg := testConfig(fake)
	cfg.RequestTimeout = 200 * time.Millisecond
	a := newAdapter(t, cfg, &memCursors{})
	if err := replyWith(t, a, groupEnv, []string{"part"}, "answer"); err != nil {
		t.Fatalf("Finish after a hanging edit: %v", err)
	}
	if n := len(fake.Calls("editMessageText")); n != 2 {
		t.Errorf("%d editMessageText calls, want the hung one and a retry", n)
	}
	if got := fake.Sent(-100200); len(got) != 1 || got[0].Text != "answer" {
		t.Errorf("sent %+v", got)
	}
}

func TestFinishReportsFailureWithoutToken(t *testing.T) {
	fake := newFake(t)
	cfg := testConfig(fake)
	fake.Close()
	a := newAdapter(t, cfg, &memCursors{})
	err := replyWith(t, a, groupEnv, nil, "answer")
	if err == nil {
		t.Fatal("Finish succeeded against a closed server")
	}
	if strings.Contains(err.Error(), cfg.Token) {
		t.Errorf("error shows the token: %v", err)
	}
}

func TestTypingRepeatsUntilCancelled(t *testing.T) {
	fake := newFake(t)
	cfg := testConfig(fake)
	cfg.TypingInterval = time.Second
	a := newAdapter(t, cfg, &memCursors{})
	ctx, cancel := context.WithCancel(context.Background())
	a.Typing(ctx, groupEnv)
	waitFake(t, fake, "two typing actions", func() bool { return len(fake.Calls("sendChatAction")) >= 2 })
	cancel()
	a.stopTyping() // returns once the indicator's goroutine has ended
	c := fake.Calls("sendChatAction")
	if c[0].Params["action"] != "typing" || c[0].Params["chat_id"] != "-100200" {
		t.Errorf("chat action %+v", c[0].Params)
	}
	// As with edits, the first stamp comes a little after the interval
	// started; half of it proves the renewal waited.
	if gap := c[1].At.Sub(c[0].At); gap < cfg.TypingInterval/2 {
		t.Errorf("typing renewed after %v, want about %v", gap, cfg.TypingInterval)
	}
}

func TestReplyWorksFromTheEnvelopeAlone(t *testing.T) {
	fake := newFake(t)
	a := newAdapter(t, testConfig(fake), &memCursors{}) // never Run: as for a replayed envelope
	topic := groupEnv
	topic.ThreadID = "77"
	topic.MessageID = "9:e1700000100"
	if err := replyWith(t, a, topic, nil, "answer"); err != nil {
		t.Fatal(err)
	}
	sent := fake.Sent(-100200)
	if len(sent) != 1 || sent[0].ThreadID != 77 || sent[0].ReplyTo != 9 {
		t.Fatalf("sent %+v", sent)
	}
	if _, err := a.Reply(t.Context(), core.Envelope{ChatID: "not-a-number"}); err == nil {
		t.Error("Reply accepted an envelope this adapter did not make")
	}
}
