package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"imbot/core"
)

func TestBackupOpensWithSameContent(t *testing.T) {
	s := openTest(t, testConfig(t))
	ctx := context.Background()
	var turns []core.Turn
	for n := range 3 {
		env := envelope("c1", n)
		if ok, err := s.Accept(ctx, env); !ok || err != nil {
			t.Fatalf("Accept = %v, %v", ok, err)
		}
		if n < 2 {
			turns = append(turns, turnFor(env, time.Now()))
			if err := s.Complete(ctx, turns[n]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.SetCursor(ctx, "telegram", "99"); err != nil {
		t.Fatal(err)
	}

	var buf bytes.Buffer
	n, err := s.Backup(ctx, &buf)
	if err != nil || n != int64(buf.Len()) || n == 0 {
		t.Fatalf("Backup = %d, %v; buffer has %d bytes", n, err, buf.Len())
	}
	// The store stays usable while and after the backup is taken.
	if err := s.SetCursor(ctx, "telegram", "100"); err != nil {
		t.Fatal(err)
	}

	cfg := testConfig(t)
	if err := os.MkdirAll(filepath.Dir(cfg.Path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg.Path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	b := openTest(t, cfg)
	if v, _ := b.Cursor(ctx, "telegram"); v != "99" {
		t.Errorf("backup cursor = %q, want the value at backup time, 99", v)
	}
	want := []core.Message{turns[0].User, turns[0].Reply, turns[1].User, turns[1].Reply}
	if got, err := b.Recent(ctx, envelope("c1", 0).Conversation(), 10); err != nil || !sameMessages(got, want) {
		t.Errorf("backup history = %+v, %v", got, err)
	}
	if p, err := b.Pending(ctx); err != nil || len(p) != 1 || p[0].MessageID != "2" {
		t.Errorf("backup pending = %+v, %v; want message 2", p, err)
	}
}

// failAfter is a writer that fails once limit bytes have been written.
type failAfter struct{ n, limit int }

var errDiskFull = errors.New("disk full")

func (w *failAfter) Write(p []byte) (int, error) {
	if w.n+len(p) > w.limit {
		return 0, errDiskFull
	}
	w.n += len(p)
	return len(p), nil
}

func TestBackupErrors(t *testing.T) {
	s := openTest(t, testConfig(t))
	if _, err := s.Backup(context.Background(), &failAfter{limit: 100}); !errors.Is(err, errDiskFull) {
		t.Errorf("Backup to a failing writer: err = %v, want errDiskFull", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Backup(ctx, &bytes.Buffer{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Backup with a canceled ctx: err = %v, want context.Canceled", err)
	}
}

func TestExport(t *testing.T) {
	s := openTest(t, testConfig(t))
	ctx := context.Background()
	want := map[core.ConversationKey][]core.Message{}
	for _, chat := range []string{"b", "a", "c"} {
		for n := range 2 {
			turn := turnFor(envelope(chat, n), time.Now())
			if err := s.Complete(ctx, turn); err != nil {
				t.Fatal(err)
			}
			conv := turn.Envelope.Conversation()
			want[conv] = append(want[conv], turn.User, turn.Reply)
		}
	}
	var order []core.ConversationKey
	err := s.Export(ctx, func(conv core.ConversationKey, msgs []core.Message) error {
		order = append(order, conv)
		if !sameMessages(msgs, want[conv]) {
			t.Errorf("%q: exported %+v, want %+v", conv, msgs, want[conv])
		}
		// fn runs outside any transaction, so it may write.
		return s.SetCursor(ctx, "export", conv.String())
	})
	if err != nil {
		t.Fatal(err)
	}
	wantOrder := []core.ConversationKey{envelope("a", 0).Conversation(), envelope("b", 0).Conversation(), envelope("c", 0).Conversation()}
	if !slices.Equal(order, wantOrder) {
		t.Errorf("export order = %q, want %q", order, wantOrder)
	}

	stop := errors.New("stop")
	calls := 0
	err = s.Export(ctx, func(core.ConversationKey, []core.Message) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("Export with a failing fn = %v after %d calls, want stop after 1", err, calls)
	}
	empty := openTest(t, testConfig(t))
	if err := empty.Export(ctx, func(core.ConversationKey, []core.Message) error { t.Error("fn called"); return nil }); err != nil {
		t.Errorf("Export of an empty store: %v", err)
	}
}
