package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"imbot/store"
	"imbot/store/postgres"
	"imbot/store/storage"
)

// runMigrate is `imbot migrate [-config FILE]`: bring the PostgreSQL schema
// up to this release's version (serve does the same at start). A bbolt file
// upgrades itself when opened: nothing to do.
func runMigrate(args []string, stdout, stderr io.Writer) error {
	c := newCommand("migrate", stderr)
	cfg, err := c.loadReadOnly(args)
	if err != nil {
		return err
	}
	if cfg.Store.Backend != store.BackendPostgres {
		fmt.Fprintf(stdout, "migrate: [store] backend is %q: nothing to migrate (the file upgrades itself when imbot opens it)\n",
			cfg.Store.Backend)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
	defer cancel()
	res, err := postgres.MigrateDatabase(ctx, cfg.Store.DSN, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	switch {
	case res.Newer:
		fmt.Fprintf(stdout, "migrate: schema version %d is one newer than this release knows (a rolling upgrade?); left as it is\n", res.From)
	case len(res.Applied) == 0:
		fmt.Fprintf(stdout, "migrate: schema version %d is up to date\n", res.From)
	default:
		fmt.Fprintf(stdout, "migrate: schema version %d → %d (applied %s)\n", res.From, res.To, joinInts(res.Applied))
	}
	return nil
}

// joinInts formats versions as "2, 3".
func joinInts(vs []int) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = fmt.Sprint(v)
	}
	return strings.Join(s, ", ")
}

// runMigrateStore is `imbot migrate-store -from bbolt:FILE -to postgres
// [-config FILE]`: copy every record of a bbolt file into the PostgreSQL
// database the config's dsn_env names. The file must not be in use (stop
// the daemon first); running it again copies nothing twice.
func runMigrateStore(args []string, stdout, stderr io.Writer) error {
	c := newCommand("migrate-store", stderr)
	from := c.String("from", "", "the store to copy: bbolt:FILE (required)")
	to := c.String("to", "postgres", "where to copy it: postgres (the database [store] dsn_env names)")
	if err := c.Parse(args); err != nil {
		return err
	}
	file, ok := strings.CutPrefix(*from, "bbolt:")
	if !ok || file == "" {
		return errors.New("migrate-store: -from bbolt:FILE is required, e.g. -from bbolt:/var/lib/imbot/imbot.db")
	}
	if *to != store.BackendPostgres {
		return fmt.Errorf("migrate-store: -to %q: only postgres is supported", *to)
	}
	cfg, err := loadConfigKeys(*c.configPath, envLookup, false)
	if err != nil {
		return err
	}
	if cfg.Store.DSN, err = targetDSN(cfg.Store); err != nil {
		return fmt.Errorf("migrate-store: %w", err)
	}
	src, dst, err := openMigration(cfg.Store, file)
	if err != nil {
		return fmt.Errorf("migrate-store: %w", err)
	}
	defer src.Close()
	defer dst.Close()
	start := time.Now()
	n, err := storage.Copy(context.Background(), src, dst)
	if err != nil {
		return fmt.Errorf("migrate-store: %w (what was copied stays; running it again is safe)", err)
	}
	kinds := make([]storage.Kind, 0, len(n))
	for k := range n {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		fmt.Fprintf(stdout, "  %-20s %d\n", k, n[k])
	}
	fmt.Fprintf(stdout, "migrate-store: copied %s to PostgreSQL in %s; set [store] backend = \"postgres\" and start imbot\n",
		file, time.Since(start).Round(time.Millisecond))
	return nil
}

// targetDSN reads the connection string [store] dsn_env names, whatever
// backend the file sets (it still names bbolt before the move).
func targetDSN(sc store.Config) (string, error) {
	if sc.DSN != "" {
		return sc.DSN, nil
	}
	dsn, err := secret(envLookup, sc.DSNEnv)
	if err == nil && dsn == "" {
		err = fmt.Errorf("%s is not set: it must hold the PostgreSQL connection string ([store] dsn_env)", sc.DSNEnv)
	}
	return dsn, err
}

// openMigration opens the bbolt file (failing while a daemon holds it) and
// the PostgreSQL database sc names.
func openMigration(sc store.Config, file string) (*store.Store, *postgres.Store, error) {
	bc := sc
	bc.Backend, bc.Path, bc.LockTimeout = store.BackendBolt, file, 300*time.Millisecond
	src, err := store.Open(bc)
	if errors.Is(err, store.ErrLocked) {
		return nil, nil, fmt.Errorf("%s is in use: stop the daemon (systemctl stop imbot) and run migrate-store again", file)
	}
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
	defer cancel()
	dst, err := postgres.Open(ctx, sc.DSN, postgres.WithRetention(sc.RetentionPolicy()))
	if err != nil {
		return nil, nil, errors.Join(err, src.Close())
	}
	return src, dst, nil
}
