package store

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"imbot/core"
)

func TestCompactShrinksAfterDeletions(t *testing.T) {
	cfg := testConfig(t)
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fillStore(t, s, 8, 25)
	ctx := context.Background()
	for c := range 7 { // forget all conversations but the last
		if err := s.Reset(ctx, core.ConversationKey{Platform: "telegram", Chat: core.ChatID("chat" + string(rune('a'+c)))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := Compact(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.After >= res.Before {
		t.Fatalf("compacted %d bytes to %d, want smaller", res.Before, res.After)
	}
	if _, err := os.Stat(cfg.Path + ".bak"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("backup left behind after success: %v", err)
	}
	s = openTest(t, cfg)
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Conversations != 1 || st.Messages != 50 || st.FileBytes != res.After {
		t.Fatalf("after compaction: %+v", st)
	}
}

func TestCompactRefusesWhileTheFileIsHeld(t *testing.T) {
	cfg := testConfig(t)
	s := openTest(t, cfg)
	fillStore(t, s, 1, 2)
	cfg.LockTimeout = 50 * time.Millisecond
	_, err := Compact(cfg)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "is imbot already running?") {
		t.Fatalf("Compact of a held file = %v, want ErrLocked", err)
	}
	if st, err := s.Stats(context.Background()); err != nil || st.Messages != 4 {
		t.Fatalf("store after a refused compaction: %+v, %v", st, err)
	}
}

func TestCompactRefusesAMissingFile(t *testing.T) {
	cfg := testConfig(t)
	if _, err := Compact(cfg); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Compact of a missing file = %v, want ErrNotExist", err)
	}
	if _, err := os.Stat(cfg.Path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("Compact created the file")
	}
}
