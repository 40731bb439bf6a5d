package postgres

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5/pgxpool"

	"imbot/store/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func newPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestMigrateIsIdempotentAndConcurrent(t *testing.T) {
	pool := newPool(t)
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([]MigrateResult, 3)
	errs := make([]error, 3)
	for i := range results {
		wg.Add(1)
		go func() { defer wg.Done(); results[i], errs[i] = Migrate(context.Background(), pool, ms, quiet) }()
	}
	wg.Wait()
	applied := 0
	for i, r := range results {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if r.To != len(ms) {
			t.Errorf("result %d: version %d, want %d", i, r.To, len(ms))
		}
		applied += len(r.Applied)
	}
	if applied != len(ms) {
		t.Errorf("%d migrations applied in all, want each of %d once", applied, len(ms))
	}
	var n int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != len(ms) {
		t.Fatalf("schema_migrations has %d rows (%v), want %d", n, err, len(ms))
	}
}

func TestMigrateAcceptsOneVersionNewerOnly(t *testing.T) {
	pool := newPool(t)
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := Migrate(ctx, pool, ms, quiet); err != nil {
		t.Fatal(err)
	}
	older := ms[:len(ms)-1]
	res, err := Migrate(ctx, pool, older, quiet)
	if err != nil || !res.Newer || len(res.Applied) != 0 {
		t.Fatalf("binary one version behind: %+v, %v; want accepted as newer, nothing applied", res, err)
	}
	if len(ms) >= 2 {
		if _, err := Migrate(ctx, pool, ms[:len(ms)-2], quiet); err == nil {
			t.Fatal("binary two versions behind: want an error")
		}
	}
}

func TestLoadMigrationsRejectsGapsAndBadNames(t *testing.T) {
	for name, files := range map[string]fstest.MapFS{
		"gap":      {"m/0001_a.sql": {Data: []byte("SELECT 1")}, "m/0003_c.sql": {Data: []byte("SELECT 1")}},
		"bad name": {"m/first.sql": {Data: []byte("SELECT 1")}},
		"zero":     {"m/0000_a.sql": {Data: []byte("SELECT 1")}},
	} {
		if _, err := loadMigrations(files, "m"); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	ms, err := loadMigrations(fstest.MapFS{"m/0002_b.sql": {Data: []byte("B")}, "m/0001_a.sql": {Data: []byte("A")}}, "m")
	if err != nil || len(ms) != 2 || ms[0].Name != "a" || ms[1].SQL != "B" {
		t.Fatalf("got %+v, %v", ms, err)
	}
}
