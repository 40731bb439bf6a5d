package postgres

import (
	"context"
	"testing"
	"time"

	"imbot/store/postgres/pgtest"
	"imbot/store/storage"
	"imbot/store/storetest"
)

// TestConformance runs the suite every store backend passes, each subtest
// on a fresh database.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, clock func() time.Time, ret storage.Retention) storage.Backend {
		return openTest(t, WithClock(clock), WithRetention(ret))
	})
}

// openTest opens a store on a fresh database and closes it when the test
// ends.
func openTest(t testing.TB, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), pgtest.NewDatabase(t), append([]Option{WithLogger(quiet)}, opts...)...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
