package postgres

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"imbot/core"
	"imbot/store"
	"imbot/store/storage"
	"imbot/store/storetest"
)

// fillBolt writes one record of every kind into a bbolt store through the
// contract and returns it with the envelope left pending.
func fillBolt(t *testing.T, now time.Time) (*store.Store, core.Envelope) {
	t.Helper()
	cfg := store.DefaultConfig()
	cfg.Path = filepath.Join(t.TempDir(), "imbot.db")
	src, err := store.Open(cfg, store.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	ctx := context.Background()
	for n := 1; n <= 3; n++ {
		env := storetest.Envelope("c1", n)
		if ok, err := src.Accept(ctx, env); !ok || err != nil {
			t.Fatalf("Accept: %v, %v", ok, err)
		}
		if err := src.Complete(ctx, storetest.TurnFor(env, now)); err != nil {
			t.Fatal(err)
		}
	}
	pending := storetest.Envelope("c2", 9)
	steps := []error{
		first(src.Accept(ctx, pending)),
		src.SaveReplyRef(ctx, pending, core.ReplyRef{Card: "card", Messages: []core.MessageID{"om_1"}}),
		src.KeepAnswer(ctx, storetest.TurnFor(pending, now), false),
		src.SetCursor(ctx, "telegram.offset", "815"),
		src.SetState(ctx, pending.Conversation(), core.ConversationState{Owner: "form", Name: "step", Expires: now}),
		second(src.Vote(ctx, core.Feedback{Conversation: storetest.Envelope("c1", 0).Conversation(), Turn: "2", Vote: core.VoteUp, At: now})),
		src.TouchChat(ctx, "web", "u1", "s1", "title", now),
		src.AddUnanswered(ctx, core.UnansweredQuestion{Question: "q", Platform: "telegram", User: "u-c1", At: now}),
		src.AddUsage(ctx, "telegram:u-c1", "2026-03-14", 42),
		src.PutVector(ctx, "faq:m:1", []float32{1, 2}),
		src.RememberBotMessages(ctx, "feishu", "oc_1", "om_9"),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("fill step %d: %v", i, err)
		}
	}
	return src, pending
}

func first[T any](_ T, err error) error          { return err }
func second[A, B any](_ A, _ B, err error) error { return err }

// TestCopyFromBolt moves every record kind from bbolt, twice, and reads the
// copy back through the contract: nothing lost, nothing duplicated.
func TestCopyFromBolt(t *testing.T) {
	now := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	src, pending := fillBolt(t, now)
	dst := openTest(t, WithClock(func() time.Time { return now }))
	ctx := context.Background()
	var counts []storage.Copied
	for range 2 {
		n, err := storage.Copy(ctx, src, dst)
		if err != nil {
			t.Fatalf("Copy: %v", err)
		}
		counts = append(counts, n)
	}
	if n := counts[0]; n[storage.KindMessage] != 6 || n[storage.KindPending] != 1 || n[storage.KindDedup] != 8 {
		t.Errorf("copied %v", n)
	}
	conv := storetest.Envelope("c1", 0).Conversation()
	want, _ := src.Recent(ctx, conv, 100)
	if got, _ := dst.Recent(ctx, conv, 100); !storetest.SameMessages(got, want) || len(got) != 6 {
		t.Errorf("history after two copies = %d messages, want the %d of the source", len(got), len(want))
	}
	if envs, _ := dst.Pending(ctx); len(envs) != 1 || !storetest.SameEnvelope(envs[0], pending) {
		t.Errorf("Pending = %+v", envs)
	}
	if kept, ok, _ := dst.KeptAnswer(ctx, pending); !ok || kept.Sent {
		t.Errorf("KeptAnswer = %+v, %v", kept, ok)
	}
	if ref, ok, _ := dst.ReplyRef(ctx, pending); !ok || ref.Card != "card" {
		t.Errorf("ReplyRef = %+v, %v", ref, ok)
	}
	if ok, _ := dst.Accept(ctx, storetest.Envelope("c1", 1)); ok {
		t.Error("a message answered before the move was accepted again")
	}
	checks := []struct {
		what string
		ok   bool
	}{
		{"cursor", valueOf(dst.Cursor(ctx, "telegram.offset")) == "815"},
		{"state", found(dst.State(ctx, pending.Conversation()))},
		{"vote", slices.ContainsFunc(valueOf(dst.TurnRecords(ctx, time.Time{})), func(r core.TurnRecord) bool { return r.Vote == core.VoteUp })},
		{"turn records", len(valueOf(dst.TurnRecords(ctx, time.Time{}))) == 3},
		{"chat list", len(valueOf(dst.ChatSummaries(ctx, "web", "u1"))) == 1},
		{"unanswered once", len(valueOf(dst.Unanswered(ctx, time.Time{}))) == 1},
		{"usage not doubled", valueOf(dst.Usage(ctx, "telegram:u-c1", "2026-03-14")) == 42},
		{"vector", found(dst.Vector(ctx, "faq:m:1"))},
		{"reply index", valueOf(dst.BotMessage(ctx, "feishu", "oc_1", "om_9"))},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s not copied as it was", c.what)
		}
	}
	env := storetest.Envelope("c1", 4)
	if ok, err := dst.Accept(ctx, env); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if err := dst.Complete(ctx, storetest.TurnFor(env, now)); err != nil {
		t.Fatal(err)
	}
	if got, _ := dst.Recent(ctx, conv, 100); len(got) != 8 || got[6].Text != env.Text {
		t.Errorf("a turn after the move did not follow the copied history: %d messages", len(got))
	}
}

// valueOf drops the error of a read the test compares the value of.
func valueOf[T any](v T, _ error) T { return v }

// found is the "ok" of a read.
func found[T any](_ T, ok bool, _ error) bool { return ok }
