package web

import (
	"context"
	"net/url"
	"sync"
	"testing"

	"imbot/core"
	"imbot/core/feedback"
)

func TestWSFeedbackFrames(t *testing.T) {
	var mu sync.Mutex
	var got []core.Feedback
	record := func(_ context.Context, fb core.Feedback) error {
		if fb.Turn == "unknown" {
			return feedback.ErrUnknownTurn
		}
		mu.Lock()
		defer mu.Unlock()
		got = append(got, fb)
		return nil
	}
	e := newTestEnv(t, testConfig(), true, WithFeedback(record))
	c := e.dial(t, url.Values{"session": {"fb"}}, nil)
	expect(t, c, "ready")
	send(t, c, map[string]string{"type": "feedback", "id": "m1", "vote": "down"})
	if f := expect(t, c, "voted"); f.ReplyTo == nil || *f.ReplyTo != "m1" {
		t.Fatalf("voted frame %+v", f)
	}
	mu.Lock()
	want := core.Feedback{Conversation: e.a.envelope("fb", "m1", "", peer{}).Conversation(), Turn: "m1", User: "fb", Vote: core.VoteDown}
	if len(got) != 1 || got[0].Conversation != want.Conversation || got[0].Turn != want.Turn || got[0].Vote != want.Vote {
		t.Errorf("recorded %+v, want %+v", got, want)
	}
	mu.Unlock()
	for _, bad := range []map[string]string{
		{"type": "feedback", "id": "unknown", "vote": "up"},
		{"type": "feedback", "id": "m1", "vote": "meh"},
	} {
		send(t, c, bad)
		if f := expect(t, c, "error"); f.Code != codeBadRequest {
			t.Errorf("feedback %v: error %+v, want bad_request", bad, f)
		}
	}
}
