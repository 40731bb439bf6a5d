package store

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	"imbot/core"
)

// fillStore completes turns turns in each of chats conversations; every
// third reply is a FAQ answer.
func fillStore(t *testing.T, s *Store, chats, turns int) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	n := 0
	for c := range chats {
		for range turns {
			env := envelope("chat"+string(rune('a'+c)), n)
			mustAccept(t, s, env)
			turn := turnFor(env, at)
			if n%3 == 0 {
				turn.Reply.Route = core.RouteFAQ
			}
			if err := s.Complete(ctx, turn); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
}

func TestStatsCountsAKnownStore(t *testing.T) {
	s := openTest(t, testConfig(t))
	ctx := context.Background()
	fillStore(t, s, 3, 4) // 12 turns: 24 messages, replies 0, 3, 6, 9 from the FAQ
	mustAccept(t, s, envelope("waiting", 100))
	if err := s.PutVector(ctx, "faq:m:1", []float32{1, 0}); err != nil {
		t.Fatal(err)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"faq": 4, "model": 8}
	if st.Conversations != 3 || st.Messages != 24 || st.Tokens != 12*(3+5) || !maps.Equal(st.Routes, want) ||
		st.Pending != 1 || st.Vectors != 1 || st.Unanswered != 0 {
		t.Fatalf("stats = %+v", st)
	}
	fi, err := os.Stat(s.cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	if st.FileBytes != fi.Size() || st.PageSize != os.Getpagesize() {
		t.Fatalf("file %d bytes, page %d; want %d and %d", st.FileBytes, st.PageSize, fi.Size(), os.Getpagesize())
	}
	var out strings.Builder
	if err := s.WriteStats(ctx, &out); err != nil {
		t.Fatal(err)
	}
	var decoded Stats
	if err := json.Unmarshal([]byte(out.String()), &decoded); err != nil || decoded.Messages != 24 {
		t.Fatalf("WriteStats = %q (%v)", out.String(), err)
	}
}
