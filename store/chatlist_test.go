package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"imbot/core"
	"imbot/store/storage"
)

func TestChatListTouchRenameDelete(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	s := openTest(t, testConfig(t), WithClock(func() time.Time { return now }))
	touch := func(user core.UserID, chat core.ChatID, title string, at time.Time) {
		t.Helper()
		if err := s.TouchChat(ctx, "web", user, chat, title, at); err != nil {
			t.Fatalf("TouchChat: %v", err)
		}
	}
	touch("u1", "a", "first", now)
	touch("u1", "b", "second", now.Add(time.Minute))
	touch("u1", "a", "ignored: a is listed", now.Add(2*time.Minute))
	touch("u2", "c", "someone else's", now)
	touch("u1x", "d", "a user whose id starts like u1", now)
	if err := s.RenameChat(ctx, "web", "u1", "b", "renamed"); err != nil {
		t.Fatal(err)
	}
	got, err := s.ChatSummaries(ctx, "web", "u1")
	if err != nil {
		t.Fatal(err)
	}
	want := []core.ChatSummary{
		{Chat: "a", Title: "first", Created: now, Updated: now.Add(2 * time.Minute)},
		{Chat: "b", Title: "renamed", Created: now.Add(time.Minute), Updated: now.Add(time.Minute)},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("ChatSummaries = %+v, want %+v (newest first, other users' left out)", got, want)
	}
	if err := s.DeleteChat(ctx, "web", "u1", "a"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ChatSummaries(ctx, "web", "u1"); len(got) != 1 || got[0].Chat != "b" {
		t.Fatalf("after delete: %+v, want only b", got)
	}
}

func TestChatListRejectsBadInput(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, testConfig(t))
	if err := s.TouchChat(ctx, "web", "", "a", "t", time.Now()); err == nil {
		t.Error("TouchChat with an empty user succeeded")
	}
	if err := s.RenameChat(ctx, "web", "u", "a", strings.Repeat("x", storage.MaxTitleLen+1)); err == nil {
		t.Error("RenameChat with an oversized title succeeded")
	}
}
