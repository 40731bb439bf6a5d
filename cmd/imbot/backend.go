package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"imbot/core/metric"
	"imbot/store"
	"imbot/store/postgres"
	"imbot/store/storage"
)

// openTimeout bounds connecting to PostgreSQL and migrating at start.
const openTimeout = 30 * time.Second

// openStore opens the backend [store] backend names: the bbolt file (with
// metrics when m is not nil), or the PostgreSQL database, whose missing
// migrations it applies.
func openStore(sc store.Config, log *slog.Logger, m metric.Meter) (storage.Backend, error) {
	log = log.With("component", "store")
	if sc.Backend == store.BackendPostgres {
		ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
		defer cancel()
		st, err := postgres.Open(ctx, sc.DSN, postgres.WithLogger(log), postgres.WithRetention(sc.RetentionPolicy()))
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	opts := []store.Option{store.WithLogger(log)}
	if m != nil {
		opts = append(opts, store.WithMetrics(m))
	}
	st, err := store.Open(sc, opts...)
	if err != nil {
		return nil, err
	}
	return st, nil
}

// pgDumpHint is what `imbot backup` says for a PostgreSQL store.
const pgDumpHint = `the PostgreSQL store is backed up with pg_dump, not imbot backup:
  pg_dump --format=custom --file=imbot-$(date +%%F).dump "$%s"
restore with pg_restore --clean --dbname="$%s" FILE (see docs/scale-out.md, "Backup")`

// backupUnsupported is the error of `imbot backup` on a PostgreSQL store.
func backupUnsupported(sc store.Config) error {
	return fmt.Errorf("backup: "+pgDumpHint, sc.DSNEnv, sc.DSNEnv)
}
