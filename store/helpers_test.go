package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"imbot/core"
)

// testConfig returns the defaults with the file in a fresh temporary directory.
func testConfig(t testing.TB) Config {
	cfg := DefaultConfig()
	cfg.Path = filepath.Join(t.TempDir(), "data", "imbot.db")
	return cfg
}

// openTest opens cfg and closes the store when the test ends.
func openTest(t testing.TB, cfg Config, opts ...Option) *Store {
	t.Helper()
	s, err := Open(cfg, opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// envelope returns a Telegram-like direct message numbered n in chat.
func envelope(chat string, n int) core.Envelope {
	return core.Envelope{
		Platform:  "telegram",
		ChatID:    core.ChatID(chat),
		ChatKind:  core.ChatDirect,
		UserID:    core.UserID("u-" + chat),
		UserName:  "Ada",
		MessageID: core.MessageID(fmt.Sprint(n)),
		EventID:   fmt.Sprint(1_000_000 + n),
		Text:      fmt.Sprintf("question %d", n),
		Received:  time.Date(2026, 3, 14, 9, 0, n%60, 0, time.UTC),
	}
}

// turnFor builds the completed turn answering env.
func turnFor(env core.Envelope, at time.Time) core.Turn {
	return core.Turn{
		Envelope: env,
		User:     core.Message{Role: core.RoleUser, Text: env.Text, At: at, Tokens: 3},
		Reply: core.Message{Role: core.RoleAssistant, Text: "answer to " + env.Text, At: at.Add(time.Second),
			Route: core.RouteModel, Provider: "local", Model: "qwen3:8b", Tokens: 5, LatencyMS: 812},
	}
}

// mustAccept accepts env as new or fails the test.
func mustAccept(t testing.TB, s *Store, env core.Envelope) {
	t.Helper()
	if ok, err := s.Accept(context.Background(), env); !ok || err != nil {
		t.Fatalf("Accept(%s) = %v, %v; want true, nil", env.MessageID, ok, err)
	}
}
