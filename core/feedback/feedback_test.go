package feedback

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"imbot/core"
	"imbot/metric"
	"imbot/store"
)

func TestRecordStoresCountsAndQueuesThumbsDown(t *testing.T) {
	cfg := store.DefaultConfig()
	cfg.Path = filepath.Join(t.TempDir(), "imbot.db")
	s, err := store.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	env := core.Envelope{Platform: "web", ChatID: "s1", UserID: "s1", MessageID: "m1", Text: "how do refunds work?"}
	if _, err := s.Accept(ctx, env); err != nil {
		t.Fatal(err)
	}
	turn := core.Turn{Envelope: env, User: core.Message{Role: core.RoleUser, Text: env.Text},
		Reply: core.Message{Role: core.RoleAssistant, Text: "Ask support.", Route: core.RouteFAQ, At: time.Now()}}
	if err := s.Complete(ctx, turn); err != nil {
		t.Fatal(err)
	}
	reg := metric.NewRegistry()
	r := New(s, s, nil, reg)
	fb := core.Feedback{Conversation: env.Conversation(), Turn: "m1", User: "s1", Vote: core.VoteDown, At: time.Now()}
	if err := r.Record(ctx, fb); err != nil {
		t.Fatal(err)
	}
	if v, _ := reg.Value("imbot_feedback_total", "faq", "down"); v != 1 {
		t.Errorf("imbot_feedback_total{faq,down} = %v, want 1", v)
	}
	q, err := s.Unanswered(ctx, time.Time{})
	if err != nil || len(q) != 1 || q[0].Reason != core.ReasonThumbsDown || q[0].Question != env.Text {
		t.Errorf("review queue = %+v, %v; want the thumbs-down question", q, err)
	}
	recs, _ := s.TurnRecords(ctx, time.Time{})
	if len(recs) != 1 || recs[0].Vote != core.VoteDown {
		t.Errorf("turn records = %+v, want the vote stored", recs)
	}
	fb.Turn = "forged"
	if err := r.Record(ctx, fb); !errors.Is(err, ErrUnknownTurn) {
		t.Errorf("vote on an unknown turn: %v, want ErrUnknownTurn", err)
	}
	fb.Vote = 3
	if err := r.Record(ctx, fb); err == nil {
		t.Error("a bad vote was recorded")
	}
}
