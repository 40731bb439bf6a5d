package feishu

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"imbot/adapters/feishu/feishutest"
	"imbot/core"
)

// A group message that replies to one of the bot's answers is marked as
// replying to the bot (which addresses it, for the dispatcher's group
// trigger); a reply to someone else's message is not. No API call is made
// to find out.
func TestReplyToBotMessageAddressesBot(t *testing.T) {
	h := newHarness(t, nil)
	h.serve()
	answered := h.env("1")
	h.stream(answered, 0, nil, core.Reply{Text: "the answer", Route: core.RouteFAQ})
	h.refs.complete(answered)
	botMsg := h.only().ID
	for _, tc := range []struct {
		id, parent string
		want       bool
	}{{"2", botMsg, true}, {"3", "om_someone_else", false}} {
		e := h.event(tc.id, "and the port?")
		e.Mentions, e.Content, e.ParentID = nil, feishutest.TextContent("and the port?"), tc.parent
		if got := h.post(e.JSON()); got != http.StatusOK {
			t.Fatalf("status %d", got)
		}
		select {
		case env := <-h.delivered:
			if env.RepliesToBot != tc.want || env.MessageID != core.MessageID("om_"+tc.id) {
				t.Fatalf("delivered %s with RepliesToBot %v, want om_%s with %v", env.MessageID, env.RepliesToBot, tc.id, tc.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("om_%s was not delivered", tc.id)
		}
	}
	if n := h.fake.Count(feishutest.OpIDConvert); n != 0 {
		t.Errorf("%d id lookups", n)
	}
}

// A replayed turn continues the card its first run created, found in the
// turn's record: one card, one message, no id lookup.
func TestReplayContinuesKeptCard(t *testing.T) {
	h := newHarness(t, nil)
	env := h.env("1")
	ctx := context.Background()
	w1, _ := h.a.Reply(ctx, env)
	h.clock.Advance(300 * time.Millisecond) // past update_interval: the first run streams a card
	if err := w1.Update(ctx, "partial answ"); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(5 * time.Second)
	h.restart()
	h.stream(env, 300*time.Millisecond, []string{"full"}, core.Reply{Text: "full answer", Route: core.RouteFAQ})
	m := h.only()
	if c, _ := h.fake.Card(m.ID); c.Elements[answerElement] != "full answer" || c.Streaming {
		t.Fatalf("card shows %q (streaming %v)", c.Elements[answerElement], c.Streaming)
	}
	if n := h.fake.Count(feishutest.OpIDConvert); n != 0 {
		t.Errorf("%d id lookups, want none", n)
	}
	if n := h.fake.Count(feishutest.OpCardCreate); n != 1 {
		t.Errorf("%d cards created, want 1", n)
	}
}

// When the kept card cannot be continued, it is finished with a notice and
// the answer goes out as a new message.
func TestReplayThatCannotContinueMovesAnswer(t *testing.T) {
	h := newHarness(t, nil)
	env := h.env("1")
	ctx := context.Background()
	w1, _ := h.a.Reply(ctx, env)
	h.clock.Advance(300 * time.Millisecond) // past update_interval: the first run streams a card
	if err := w1.Update(ctx, "partial"); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(5 * time.Second)
	h.restart()
	h.fake.Fail(feishutest.OpCardContent, feishutest.CodeBadParams, 1)
	h.stream(env, 0, nil, core.Reply{Text: "the answer", Route: core.RouteFAQ})
	ms := h.fake.Messages()
	if len(ms) != 2 {
		t.Fatalf("%d messages, want the old card and a new one", len(ms))
	}
	if old, _ := h.fake.Card(ms[0].ID); old.Streaming || !strings.Contains(old.Elements[answerElement], "restarted") {
		t.Errorf("old card %+v, want it closed with the notice", old)
	}
	if got := h.fake.Shown(ms[1], answerElement); got != "the answer" {
		t.Errorf("new message shows %q", got)
	}
	if got, _ := h.metrics.Value("imbot_feishu_reply_ref_failures_total", "card_abandoned"); got != 1 {
		t.Errorf("card_abandoned = %v, want 1", got)
	}
}

// A replay whose earlier run had finished the card leaves it: no second
// message.
func TestReplayOfFinishedCardLeavesIt(t *testing.T) {
	h := newHarness(t, nil)
	env := h.env("1")
	h.stream(env, 0, nil, core.Reply{Text: "the answer", Route: core.RouteFAQ})
	h.clock.Advance(5 * time.Second)
	h.restart()
	h.stream(env, 0, nil, core.Reply{Text: "the answer", Route: core.RouteFAQ})
	if got := h.fake.Shown(h.only(), answerElement); got != "the answer" {
		t.Errorf("card shows %q", got)
	}
}

// A card whose message could not be posted is reused by the next attempt,
// not left behind as an orphan.
func TestCardReusedAfterFailedPost(t *testing.T) {
	h := newHarness(t, nil)
	h.fake.Fail(feishutest.OpReply, feishutest.CodeRateLimited, maxAttempts)
	ctx := context.Background()
	env := h.env("1")
	env.Received = env.Received.Add(-time.Second) // received before the start: posted as a CardKit card
	w, _ := h.a.Reply(ctx, env)
	reply := core.Reply{Text: "x", Route: core.RouteFAQ}
	if err := w.Finish(ctx, reply); err == nil {
		t.Fatal("Finish succeeded through a persistent rate limit")
	}
	if err := w.Finish(ctx, reply); err != nil {
		t.Fatalf("second Finish: %v", err)
	}
	if n := h.fake.Count(feishutest.OpCardCreate); n != 1 {
		t.Errorf("%d cards created, want 1", n)
	}
	h.only()
}
