package store

import (
	"context"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"imbot/core"
	"imbot/store/storetest"
)

func sameMessages(a, b []core.Message) bool {
	return slices.EqualFunc(a, b, func(x, y core.Message) bool {
		xt, yt := x.At, y.At
		x.At, y.At = time.Time{}, time.Time{}
		return x == y && xt.Equal(yt)
	})
}

func TestCompleteAppendsAndClearsPending(t *testing.T) {
	s := openTest(t, testConfig(t))
	ctx := context.Background()
	env := envelope("c1", 1)
	if ok, err := s.Accept(ctx, env); !ok || err != nil {
		t.Fatalf("Accept = %v, %v", ok, err)
	}
	turn := turnFor(env, time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC))
	if err := s.Complete(ctx, turn); err != nil {
		t.Fatal(err)
	}
	pending, err := s.Pending(ctx)
	if err != nil || len(pending) != 0 {
		t.Fatalf("Pending after Complete = %v, %v; want none", pending, err)
	}
	got, err := s.Recent(ctx, env.Conversation(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := []core.Message{turn.User, turn.Reply}; !sameMessages(got, want) {
		t.Fatalf("Recent = %+v, want %+v", got, want)
	}
	if ok, _ := s.Accept(ctx, env); ok {
		t.Error("a completed envelope was accepted again")
	}
}

func TestCompleteIsAtomic(t *testing.T) {
	s := openTest(t, testConfig(t))
	ctx := context.Background()
	env := envelope("c1", 1)
	if ok, err := s.Accept(ctx, env); !ok || err != nil {
		t.Fatalf("Accept = %v, %v", ok, err)
	}
	// A plain value where the conversation's bucket belongs makes the append
	// fail after nothing else has been written.
	conv := []byte(env.Conversation().String())
	err := s.db.Update(func(tx *bolt.Tx) error { return bucket(tx, bucketConv).Put(conv, []byte("x")) })
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Complete(ctx, turnFor(env, time.Now())); err == nil {
		t.Fatal("Complete succeeded although the append could not be written")
	}
	pending, err := s.Pending(ctx)
	if err != nil || !slices.EqualFunc(pending, []core.Envelope{env}, sameEnvelope) {
		t.Fatalf("Pending after a failed Complete = %+v, %v; want the envelope still pending", pending, err)
	}

	err = s.db.Update(func(tx *bolt.Tx) error { return bucket(tx, bucketConv).Delete(conv) })
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Complete(ctx, turnFor(env, time.Now())); err != nil {
		t.Fatalf("Complete once the conversation is writable: %v", err)
	}
	pending, _ = s.Pending(ctx)
	got, _ := s.Recent(ctx, env.Conversation(), 10)
	if len(pending) != 0 || len(got) != 2 {
		t.Fatalf("after Complete: %d pending, %d messages; want 0 and 2", len(pending), len(got))
	}
}

func TestRecentLimits(t *testing.T) {
	s := openTest(t, testConfig(t))
	ctx := context.Background()
	var all []core.Message
	at := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	for n := range 5 {
		turn := turnFor(envelope("c1", n), at.Add(time.Duration(n)*time.Minute))
		if err := s.Complete(ctx, turn); err != nil {
			t.Fatal(err)
		}
		all = append(all, turn.User, turn.Reply)
	}
	conv := envelope("c1", 0).Conversation()
	tests := []struct {
		limit int
		want  []core.Message
	}{
		{-1, nil},
		{0, nil},
		{1, all[9:]},
		{3, all[7:]},
		{10, all},
		{100, all},
	}
	for _, tt := range tests {
		got, err := s.Recent(ctx, conv, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !sameMessages(got, tt.want) {
			t.Errorf("Recent(limit %d) = %d messages %v, want %d", tt.limit, len(got), got, len(tt.want))
		}
	}
	if got, err := s.Recent(ctx, core.ConversationKey{Platform: "telegram", Chat: "nobody"}, 10); err != nil || got != nil {
		t.Errorf("Recent of an unknown conversation = %v, %v; want nil, nil", got, err)
	}
}

func TestResetForgetsOneConversation(t *testing.T) {
	s := openTest(t, testConfig(t))
	ctx := context.Background()
	a, b := envelope("a", 1), envelope("b", 1)
	for _, env := range []core.Envelope{a, b} {
		if err := s.Complete(ctx, turnFor(env, time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Reset(ctx, a.Conversation()); err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(ctx, core.ConversationKey{Platform: "telegram", Chat: "never-seen"}); err != nil {
		t.Fatalf("Reset of an unknown conversation: %v", err)
	}
	if got, _ := s.Recent(ctx, a.Conversation(), 10); len(got) != 0 {
		t.Errorf("Recent after Reset = %d messages, want 0", len(got))
	}
	if got, _ := s.Recent(ctx, b.Conversation(), 10); len(got) != 2 {
		t.Errorf("Recent of the other conversation = %d messages, want 2", len(got))
	}
	// The conversation starts afresh.
	next := turnFor(envelope("a", 2), time.Now())
	if err := s.Complete(ctx, next); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Recent(ctx, a.Conversation(), 10); !sameMessages(got, []core.Message{next.User, next.Reply}) {
		t.Errorf("Recent after Reset and a new turn = %v", got)
	}
}

func TestUnicodeRoundTrip(t *testing.T) {
	texts := []string{
		"你好，世界！请问营业时间是几点？",
		"Grüße aus Köln — ça va? Ñandú 🦤",
		"emoji 👩‍👩‍👧‍👦 flags 🇨🇳🇬🇧, RTL مرحبا, zero-width a\u200bb",
		"control \x00 bytes \x7f and invalid utf-8 \xff\xfe kept as is",
		"",
	}
	s := openTest(t, testConfig(t))
	ctx := context.Background()
	for i, text := range texts {
		env := envelope("群聊-中文", i)
		env.Text, env.UserName = text, "李雷"
		env.ThreadID = "话题"
		if ok, err := s.Accept(ctx, env); !ok || err != nil {
			t.Fatalf("Accept(%q) = %v, %v", text, ok, err)
		}
		pending, err := s.Pending(ctx)
		if err != nil || len(pending) != 1 || !sameEnvelope(pending[0], env) {
			t.Fatalf("Pending = %+v, %v; want %+v", pending, err, env)
		}
		turn := turnFor(env, time.Now())
		turn.Reply.Text = "回复：" + text
		if err := s.Complete(ctx, turn); err != nil {
			t.Fatal(err)
		}
		got, err := s.Recent(ctx, env.Conversation(), 2)
		if err != nil || !sameMessages(got, []core.Message{turn.User, turn.Reply}) {
			t.Fatalf("Recent = %+v, %v; want the turn with %q", got, err, text)
		}
	}
}

func TestReopenSeesEverything(t *testing.T) {
	clock := storetest.NewClock()
	cfg := testConfig(t)
	ctx := context.Background()
	s, err := Open(cfg, WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	done, waiting := envelope("c1", 1), envelope("c1", 2)
	for _, env := range []core.Envelope{done, waiting} {
		if ok, err := s.Accept(ctx, env); !ok || err != nil {
			t.Fatalf("Accept = %v, %v", ok, err)
		}
	}
	turn := turnFor(done, clock.Now())
	steps := []error{
		s.Complete(ctx, turn),
		s.SetCursor(ctx, "telegram", "815"),
		s.AddUsage(ctx, "telegram:u-c1", "2026-03-14", 120),
		s.PutVector(ctx, "faq:hours", []float32{0.25, -1, 3.5}),
		s.AddUnanswered(ctx, Unanswered{Question: "where?", Conversation: done.Conversation(), Platform: "telegram",
			At: clock.Now(), Reason: "all providers failed"}),
		s.Close(),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}

	s = openTest(t, cfg, WithClock(clock.Now))
	if ok, err := s.Accept(ctx, done); ok || err != nil {
		t.Errorf("Accept of a completed envelope after reopen = %v, %v; want false", ok, err)
	}
	if pending, err := s.Pending(ctx); err != nil || !slices.EqualFunc(pending, []core.Envelope{waiting}, sameEnvelope) {
		t.Errorf("Pending after reopen = %+v, %v; want the waiting envelope", pending, err)
	}
	if got, err := s.Recent(ctx, done.Conversation(), 10); err != nil || !sameMessages(got, []core.Message{turn.User, turn.Reply}) {
		t.Errorf("Recent after reopen = %+v, %v", got, err)
	}
	if v, err := s.Cursor(ctx, "telegram"); v != "815" || err != nil {
		t.Errorf("Cursor after reopen = %q, %v", v, err)
	}
	if n, err := s.Usage(ctx, "telegram:u-c1", "2026-03-14"); n != 120 || err != nil {
		t.Errorf("Usage after reopen = %d, %v", n, err)
	}
	if v, ok, err := s.Vector(ctx, "faq:hours"); !ok || err != nil || !slices.Equal(v, []float32{0.25, -1, 3.5}) {
		t.Errorf("Vector after reopen = %v, %v, %v", v, ok, err)
	}
	if q, err := s.Unanswered(ctx, time.Time{}); err != nil || len(q) != 1 || q[0].Question != "where?" {
		t.Errorf("Unanswered after reopen = %+v, %v", q, err)
	}
}
