package postgres

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"imbot/store/postgres/pgtest"
	"imbot/store/storetest"
)

// logBuffer is a log destination safe for concurrent use.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.b.String(), s)
}

// TestServerGoneFailsCleanly stops the server under an open store: every
// call fails with an error naming its operation, Check fails (so /readyz
// answers 503), nothing panics, and the outage is logged once however many
// calls fail.
func TestServerGoneFailsCleanly(t *testing.T) {
	pgtest.Shared(t) // skips, or fails in CI, when PostgreSQL is not installed
	srv, err := pgtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			srv.Stop()
		}
	}()
	logs := &logBuffer{}
	ctx := context.Background()
	s, err := Open(ctx, srv.DSN("postgres"), WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ok, err := s.Accept(ctx, storetest.Envelope("c1", 1)); !ok || err != nil {
		t.Fatalf("Accept while up = %v, %v", ok, err)
	}
	srv.Stop()
	stopped = true
	for n := 2; n < 12; n++ {
		ok, err := s.Accept(ctx, storetest.Envelope("c1", n))
		if ok || err == nil || !strings.Contains(err.Error(), "postgres: accept:") {
			t.Fatalf("Accept with the server gone = %v, %v; want false and an error naming accept", ok, err)
		}
	}
	if _, err := s.Recent(ctx, storetest.Envelope("c1", 0).Conversation(), 10); err == nil {
		t.Error("Recent with the server gone succeeded")
	}
	if err := s.Check(ctx); err == nil {
		t.Error("Check with the server gone succeeded; /readyz would say ready")
	}
	if n := logs.count("database unreachable"); n != 1 {
		t.Errorf("outage logged %d times, want once:\n%s", n, logs.b.String())
	}
}

// TestConnectionsDroppedRecover kills every connection of the store's
// pool: the pool dials again, the store works on, and the outage's end is
// logged when a call had failed.
func TestConnectionsDroppedRecover(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	logs := &logBuffer{}
	ctx := context.Background()
	s, err := Open(ctx, dsn, WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ok, err := s.Accept(ctx, storetest.Envelope("c1", 1)); !ok || err != nil {
		t.Fatalf("Accept = %v, %v", ok, err)
	}
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	var failures int
	for attempt := 0; ; attempt++ {
		ok, err := s.Accept(ctx, storetest.Envelope("c1", 2))
		if err == nil && ok {
			break
		}
		failures++
		if attempt == 5 {
			t.Fatalf("the store did not recover from dropped connections: %v", err)
		}
	}
	if envs, err := s.Pending(ctx); err != nil || len(envs) != 2 {
		t.Errorf("Pending after recovery = %d envelopes, %v; want both", len(envs), err)
	}
	if failures > 0 && logs.count("database reachable again") != 1 {
		t.Errorf("%d calls failed but the outage's end was not logged once:\n%s", failures, logs.b.String())
	}
}
