// Package storetest is the conformance suite every store backend passes:
// the same calls give the same results and the same edge cases on bbolt and
// PostgreSQL. A backend's tests call Run with a function that opens a fresh,
// empty store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, clock func() time.Time, ret storage.Retention) storage.Backend { … })
//	}
//
// Behaviour only one backend has (the bbolt backup file, PostgreSQL
// connection loss) is tested beside that backend.
package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"imbot/core"
	"imbot/store/storage"
)

// Opener opens a fresh, empty store for one test, reading time from clock
// and applying ret; it closes the store when the test ends.
type Opener func(t *testing.T, clock func() time.Time, ret storage.Retention) storage.Backend

// Retention is what Run opens stores with: short enough lifetimes to test
// expiry, a small max_messages to test trimming.
func Retention() storage.Retention {
	return storage.Retention{DedupTTL: 48 * time.Hour, BotMessageTTL: 24 * time.Hour, Retention: 30 * 24 * time.Hour,
		MaxMessages: 4, VectorRetention: 10 * 24 * time.Hour}
}

// Run runs every conformance test against the stores open opens.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h *harness)
	}{
		{"DedupMarksExpire", testDedupMarksExpire},
		{"AcceptIsExclusive", testAcceptIsExclusive},
		{"PendingOrderAndDrop", testPendingOrderAndDrop},
		{"CompleteIsAtomic", testCompleteIsAtomic},
		{"KeptAnswersAndReplyRefs", testKeptAnswersAndReplyRefs},
		{"ReplyIndexExpires", testReplyIndexExpires},
		{"HistoryNewestAndReset", testHistoryNewestAndReset},
		{"ForgetUser", testForgetUser},
		{"Cursors", testCursors},
		{"UnansweredQueue", testUnansweredQueue},
		{"UsageCounters", testUsageCounters},
		{"ConversationStates", testConversationStates},
		{"TurnRecordsAndVotes", testTurnRecordsAndVotes},
		{"ChatList", testChatList},
		{"Vectors", testVectors},
		{"SweepRetention", testSweepRetention},
		{"Export", testExport},
		{"Limits", testLimits},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := &Clock{now: time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)}
			tc.fn(t, &harness{s: open(t, clock.Now, Retention()), clock: clock, ctx: context.Background()})
		})
	}
}

// harness is one test's store, clock and context.
type harness struct {
	s     storage.Backend
	clock *Clock
	ctx   context.Context
}

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Envelope returns a Telegram-like direct message numbered n in chat, from
// user "u-"+chat.
func Envelope(chat string, n int) core.Envelope {
	return core.Envelope{Platform: "telegram", ChatID: core.ChatID(chat), ChatKind: core.ChatDirect,
		UserID: core.UserID("u-" + chat), UserName: "Ada", MessageID: core.MessageID(fmt.Sprint(n)),
		EventID: fmt.Sprintf("%s-%d", chat, 1_000_000+n), Text: fmt.Sprintf("question %d", n),
		Received: time.Date(2026, 3, 14, 9, 0, n%60, 123456789, time.UTC)}
}

// TurnFor builds the completed turn answering env at at.
func TurnFor(env core.Envelope, at time.Time) core.Turn {
	return core.Turn{
		Envelope: env,
		User:     core.Message{Role: core.RoleUser, Text: env.Text, At: at, Tokens: 3},
		Reply: core.Message{Role: core.RoleAssistant, Text: "answer to " + env.Text, At: at.Add(time.Second + 7),
			Route: core.RouteModel, Provider: "local", Model: "qwen3:8b", Tokens: 5, LatencyMS: 812},
	}
}

// SameEnvelope compares envelopes, their times by instant.
func SameEnvelope(a, b core.Envelope) bool {
	ra, rb := a.Received, b.Received
	a.Received, b.Received = time.Time{}, time.Time{}
	return a == b && ra.Equal(rb)
}

// SameMessages compares messages, their times by instant.
func SameMessages(a, b []core.Message) bool {
	return slices.EqualFunc(a, b, func(x, y core.Message) bool {
		xt, yt := x.At, y.At
		x.At, y.At = time.Time{}, time.Time{}
		return x == y && xt.Equal(yt)
	})
}

// accept accepts env as new or fails the test.
func (h *harness) accept(t *testing.T, env core.Envelope) {
	t.Helper()
	if ok, err := h.s.Accept(h.ctx, env); !ok || err != nil {
		t.Fatalf("Accept(%s) = %v, %v; want true, nil", env.MessageID, ok, err)
	}
}

// complete accepts env and completes its turn at the clock's time.
func (h *harness) complete(t *testing.T, env core.Envelope) core.Turn {
	t.Helper()
	h.accept(t, env)
	turn := TurnFor(env, h.clock.Now())
	if err := h.s.Complete(h.ctx, turn); err != nil {
		t.Fatalf("Complete(%s): %v", env.MessageID, err)
	}
	return turn
}

// pending returns the message ids pending, in order.
func (h *harness) pending(t *testing.T) []core.MessageID {
	t.Helper()
	envs, err := h.s.Pending(h.ctx)
	if err != nil {
		t.Fatalf("Pending: %v", err)
	}
	ids := make([]core.MessageID, len(envs))
	for i, e := range envs {
		ids[i] = e.MessageID
	}
	return ids
}

// recent returns conv's newest limit messages or fails the test.
func (h *harness) recent(t *testing.T, conv core.ConversationKey, limit int) []core.Message {
	t.Helper()
	msgs, err := h.s.Recent(h.ctx, conv, limit)
	if err != nil {
		t.Fatalf("Recent: %v", err)
	}
	return msgs
}

// must fails the test on err.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// UnansweredSample is a queued question with candidates, in Chinese.
func UnansweredSample() core.UnansweredQuestion {
	return core.UnansweredQuestion{Question: "退货政策？", Platform: "telegram", User: "u-c1",
		Conversation: Envelope("c1", 0).Conversation(), Reason: core.ReasonDegraded,
		Candidates: []core.Candidate{{ID: "returns", Score: 0.58}}}
}
