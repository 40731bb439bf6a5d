package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var embedded embed.FS

// migrationLock is the advisory lock key held while migrating, so replicas
// starting together apply each migration once.
const migrationLock = 0x696d626f74 // "imbot"

// Migration is one versioned schema change, applied in one transaction.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the migrations embedded in the binary, oldest first.
func Migrations() ([]Migration, error) { return loadMigrations(embedded, "migrations") }

// loadMigrations reads files named NNNN_name.sql from dir of fsys.
func loadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration %s: want NNNN_name.sql", e.Name())
		}
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %04d_%s: versions must run 1, 2, 3… without gaps", m.Version, m.Name)
		}
	}
	return ms, nil
}

// MigrateResult says what Migrate found and did.
type MigrateResult struct {
	// From is the schema version before, To after; Applied lists the
	// versions applied by this call.
	From, To int
	Applied  []int
	// Newer reports a database one version ahead of this binary (a rolling
	// upgrade in progress): it is used as it is, nothing applied.
	Newer bool
}

// Migrate applies the migrations the database lacks, each in its own
// transaction, holding an advisory lock so concurrent callers apply each
// once. It is idempotent. A database one version newer than ms is accepted
// (migrations stay backwards-compatible for one release, so version N and
// N+1 can share it during a rolling upgrade); more than one is an error.
func Migrate(ctx context.Context, pool *pgxpool.Pool, ms []Migration, log *slog.Logger) (MigrateResult, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return MigrateResult{}, fmt.Errorf("postgres: connect: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
		return MigrateResult{}, fmt.Errorf("postgres: migration lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLock)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return MigrateResult{}, fmt.Errorf("postgres: schema_migrations: %w", err)
	}
	var res MigrateResult
	if err := conn.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&res.From); err != nil {
		return res, fmt.Errorf("postgres: schema version: %w", err)
	}
	res.To = res.From
	latest := len(ms)
	switch {
	case res.From > latest+1:
		return res, fmt.Errorf("postgres: database schema is version %d, this imbot knows up to %d: upgrade imbot", res.From, latest)
	case res.From == latest+1:
		res.Newer = true
		log.Warn("database schema is one version newer than this binary (rolling upgrade?); using it as it is",
			"schema", res.From, "binary", latest)
		return res, nil
	}
	for _, m := range ms[res.From:] {
		if err := apply(ctx, conn.Conn(), m); err != nil {
			return res, err
		}
		res.Applied = append(res.Applied, m.Version)
		res.To = m.Version
		log.Info("database migration applied", "version", m.Version, "name", m.Name)
	}
	return res, nil
}

func apply(ctx context.Context, conn *pgx.Conn, m Migration) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("postgres: migration %04d_%s: %w", m.Version, m.Name, err)
		}
		_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.Version, m.Name)
		return err
	})
}

// MigrateDatabase connects to the database dsn names, applies the
// migrations it lacks (as Open does) and disconnects: `imbot migrate`.
func MigrateDatabase(ctx context.Context, dsn string, log *slog.Logger) (MigrateResult, error) {
	pool, err := connect(ctx, dsn)
	if err != nil {
		return MigrateResult{}, err
	}
	defer pool.Close()
	ms, err := Migrations()
	if err != nil {
		return MigrateResult{}, err
	}
	return Migrate(ctx, pool, ms, log)
}

// Inspect connects to the database dsn names and returns its schema version
// (0 before the first migration) and the latest this binary knows, changing
// nothing: `imbot check`.
func Inspect(ctx context.Context, dsn string) (version, latest int, err error) {
	pool, err := connect(ctx, dsn)
	if err != nil {
		return 0, 0, err
	}
	defer pool.Close()
	ms, err := Migrations()
	if err != nil {
		return 0, 0, err
	}
	err = pool.QueryRow(ctx, `SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0
		ELSE (SELECT coalesce(max(version), 0) FROM schema_migrations) END`).Scan(&version)
	if err != nil {
		return 0, 0, fmt.Errorf("postgres: schema version: %w", err)
	}
	return version, len(ms), nil
}
