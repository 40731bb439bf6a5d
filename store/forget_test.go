package store

import (
	"context"
	"fmt"
	"testing"

	"imbot/core"
)

// said returns a turn of user in chat (scope per user when perUser).
func said(chat, user string, n int, perUser bool) core.Turn {
	env := envelope(chat, n)
	env.UserID = core.UserID(user)
	if perUser {
		env.ChatKind, env.Scope = core.ChatGroup, core.ScopeUser
	}
	return core.Turn{Envelope: env,
		User:  core.Message{Role: core.RoleUser, Text: fmt.Sprintf("%s asks %d", user, n), At: fixtureTime()},
		Reply: core.Message{Role: core.RoleAssistant, Text: fmt.Sprintf("answer %d", n), At: fixtureTime()}}
}

func TestForgetUser(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, testConfig(t))
	turns := []core.Turn{
		said("alice", "alice", 1, false),   // her direct chat, id = user id
		said("oc_room", "alice", 2, false), // a direct chat with another id
		said("group", "alice", 3, false),   // shared with bob
		said("group", "bob", 4, false),
		said("team", "alice", 5, true), // per-user scope in a group
		said("bobchat", "bob", 6, false),
	}
	for _, tr := range turns {
		if err := s.Complete(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []Unanswered{
		{Question: "q alice", Platform: "telegram", Conversation: turns[2].Envelope.Conversation(), User: "alice", At: fixtureTime()},
		{Question: "q old", Platform: "telegram", Conversation: turns[0].Envelope.Conversation(), At: fixtureTime()},
		{Question: "q bob", Platform: "telegram", Conversation: turns[3].Envelope.Conversation(), User: "bob", At: fixtureTime()},
	} {
		if err := s.AddUnanswered(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	for _, key := range []string{"telegram:alice", "telegram:bob"} {
		for _, day := range []string{"2026-12-05", "2026-12-06"} {
			if err := s.AddUsage(ctx, key, day, 10); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The web-style list names a chat of hers whose messages predate users
	// on records: the list makes it hers.
	if err := s.TouchChat(ctx, "telegram", "alice", "listed", "old chat", fixtureTime()); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchChat(ctx, "telegram", "bob", "bobchat", "bob's", fixtureTime()); err != nil {
		t.Fatal(err)
	}
	old := said("listed", "", 7, false)
	if err := s.Complete(ctx, old); err != nil {
		t.Fatal(err)
	}
	waiting := envelope("alice", 9)
	waiting.UserID = "alice"
	if _, err := s.Accept(ctx, waiting); err != nil {
		t.Fatal(err)
	}

	got, err := s.ForgetUser(ctx, "telegram", "alice")
	if err != nil {
		t.Fatal(err)
	}
	want := core.Erased{Conversations: 4, Messages: 2, Unanswered: 2, Usage: 2, Pending: 1}
	if got != want {
		t.Fatalf("erased %+v, want %+v", got, want)
	}
	for _, tr := range turns {
		msgs, err := s.Recent(ctx, tr.Envelope.Conversation(), 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Text == tr.User.Text && tr.Envelope.UserID == "alice" {
				t.Errorf("alice's message %q is still in %s", m.Text, tr.Envelope.Conversation().Label())
			}
		}
		if tr.Envelope.UserID == "bob" && len(msgs) != 2 {
			t.Errorf("bob's conversation %s has %d messages, want 2", tr.Envelope.Conversation().Label(), len(msgs))
		}
	}
	qs, _ := s.Unanswered(ctx, fixtureTime().AddDate(-1, 0, 0))
	if len(qs) != 1 || qs[0].User != "bob" {
		t.Fatalf("unanswered left: %+v, want only bob's", qs)
	}
	if n, _ := s.Usage(ctx, "telegram:alice", "2026-12-06"); n != 0 {
		t.Fatalf("alice's usage is %d", n)
	}
	if n, _ := s.Usage(ctx, "telegram:bob", "2026-12-06"); n != 10 {
		t.Fatalf("bob's usage is %d, want 10", n)
	}
	if l, _ := s.ChatSummaries(ctx, "telegram", "alice"); len(l) != 0 {
		t.Fatalf("alice's conversation list is %+v", l)
	}
	if l, _ := s.ChatSummaries(ctx, "telegram", "bob"); len(l) != 1 {
		t.Fatalf("bob's conversation list is %+v", l)
	}
	if msgs, _ := s.Recent(ctx, old.Envelope.Conversation(), 10); len(msgs) != 0 {
		t.Fatalf("her listed chat kept %d messages", len(msgs))
	}
	if p, _ := s.Pending(ctx); len(p) != 0 {
		t.Fatalf("pending left: %+v", p)
	}
	if again, err := s.ForgetUser(ctx, "telegram", "alice"); err != nil || again != (core.Erased{}) {
		t.Fatalf("forgetting twice: %+v, %v", again, err)
	}
	if _, err := s.ForgetUser(ctx, "", "alice"); err == nil {
		t.Fatal("an empty platform was accepted")
	}
}
