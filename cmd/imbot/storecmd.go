package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"time"

	"imbot/admin"
	"imbot/store"
	"imbot/store/storage"
)

// runBackup is `imbot backup [-config FILE] -o OUT`: a consistent copy of
// the store, taken online (from the running daemon when it holds the file).
func runBackup(args []string, stdout, stderr io.Writer) error {
	c := newCommand("backup", stderr)
	out := c.String("o", "", "backup file to write (required)")
	cfg, err := c.loadReadOnly(args)
	if err != nil {
		return err
	}
	if cfg.Store.Backend == store.BackendPostgres {
		return backupUnsupported(cfg.Store)
	}
	if *out == "" {
		return errors.New("backup: -o FILE is required")
	}
	n, err := writeFileAtomic(*out, func(w io.Writer) error {
		return callStore(context.Background(), cfg, admin.Backup(), w)
	})
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backup: wrote %d bytes to %s\n", n, *out)
	return nil
}

// runExport is `imbot export [-config FILE] [-o OUT] [-raw]`: every
// conversation as one JSON line, to OUT or standard output, with personal
// data masked unless -raw.
func runExport(args []string, stdout, stderr io.Writer) error {
	c := newCommand("export", stderr)
	out := c.String("o", "-", "file to write; - for standard output")
	raw := c.Bool("raw", false, "keep phone, ID and card numbers and e-mail addresses instead of placeholders")
	cfg, err := c.loadReadOnly(args)
	if err != nil {
		return err
	}
	call := admin.Export()
	if *raw {
		call = call.Raw()
	}
	return toOutput(*out, stdout, func(w io.Writer) error {
		return callStore(context.Background(), cfg, call, w)
	})
}

// runForgetUser is `imbot forget-user [-config FILE] PLATFORM:ID`: erase
// everything the store keeps about one user, from the running daemon's
// store or, when none runs, from the file.
func runForgetUser(args []string, stdout, stderr io.Writer) error {
	c := newCommand("forget-user", stderr)
	cfg, err := c.loadReadOnly(args)
	if err != nil {
		return err
	}
	if c.NArg() != 1 {
		return errors.New("forget-user: want one PLATFORM:ID, e.g. telegram:123456")
	}
	call, err := admin.ForgetUser(c.Arg(0))
	if err != nil {
		return fmt.Errorf("forget-user: %w", err)
	}
	return callStore(context.Background(), cfg, call, stdout)
}

// runFAQUnanswered is `imbot faq unanswered [-config FILE] [-since T]
// [-format jsonl|csv]`.
func runFAQUnanswered(args []string, stdout, stderr io.Writer) error {
	return runList("faq unanswered", admin.Unanswered, args, stdout, stderr)
}

// runList is a command that writes a list since a time in a format, such
// as `imbot feedback [-config FILE] [-since T] [-format jsonl|csv]`.
func runList(name string, list func(time.Time, string) (admin.Call, error), args []string, stdout, stderr io.Writer) error {
	c := newCommand(name, stderr)
	sinceFlag := c.String("since", "", "only entries since this time: RFC 3339, a date (2006-01-02) or a duration back from now (24h)")
	format := c.String("format", "jsonl", "output format: jsonl or csv")
	raw := c.Bool("raw", false, "keep phone, ID and card numbers and e-mail addresses instead of placeholders")
	cfg, err := c.loadReadOnly(args)
	if err != nil {
		return err
	}
	since, err := admin.ParseSince(*sinceFlag, time.Now())
	if err != nil {
		return err
	}
	call, err := list(since, *format)
	if err != nil {
		return err
	}
	if *raw {
		call = call.Raw()
	}
	return callStore(context.Background(), cfg, call, stdout)
}

// callStore answers call from the store when no daemon holds it; when a
// running daemon holds the bbolt file's lock, it asks that daemon instead.
// A PostgreSQL store is read directly, daemons running or not. Either way
// the answer goes to w.
func callStore(ctx context.Context, cfg Config, call admin.Call, w io.Writer) error {
	sc := cfg.Store
	sc.LockTimeout = 300 * time.Millisecond
	st, err := openStore(sc, slog.New(slog.DiscardHandler), nil)
	if errors.Is(err, store.ErrLocked) {
		return admin.NewClient(cfg.Server.admin()).Do(ctx, call, w)
	}
	if err != nil {
		return err
	}
	defer st.Close()
	return call.Answer(ctx, st, w)
}

// runStats is `imbot stats [-config FILE] [-json]`: what the store holds
// and how its file is used, read from the file or, when the daemon holds
// it, through the daemon.
func runStats(args []string, stdout, stderr io.Writer) error {
	c := newCommand("stats", stderr)
	asJSON := c.Bool("json", false, "print the numbers as one JSON object")
	cfg, err := c.loadReadOnly(args)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := callStore(context.Background(), cfg, admin.Stats(), &buf); err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	if *asJSON {
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	var st storage.Stats
	if err := json.Unmarshal(buf.Bytes(), &st); err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	printStats(stdout, st)
	return nil
}

// printStats writes st for a person to read.
func printStats(w io.Writer, st storage.Stats) {
	fmt.Fprintf(w, "conversations  %d\nmessages       %d\ntokens         %d\n", st.Conversations, st.Messages, st.Tokens)
	routes := slices.Sorted(maps.Keys(st.Routes))
	for _, r := range routes {
		fmt.Fprintf(w, "  route %-8s %d\n", r, st.Routes[r])
	}
	fmt.Fprintf(w, "pending turns  %d\nunanswered     %d\nembeddings     %d\n", st.Pending, st.Unanswered, st.Vectors)
	if st.Backend == store.BackendPostgres {
		fmt.Fprintf(w, "database size  %d bytes\n", st.FileBytes)
		return
	}
	fmt.Fprintf(w, "file size      %d bytes\nfree pages     %d of %d bytes (imbot compact gives them back)\n",
		st.FileBytes, st.FreePages, st.PageSize)
}

// runCompact is `imbot compact [-config FILE]`: rewrite the store without
// its free pages. It works offline only: while the daemon holds the file it
// refuses.
func runCompact(args []string, stdout, stderr io.Writer) error {
	c := newCommand("compact", stderr)
	cfg, err := c.loadReadOnly(args)
	if err != nil {
		return err
	}
	sc := cfg.Store
	if sc.Backend == store.BackendPostgres {
		return errors.New("compact: the PostgreSQL store needs no compaction by imbot: autovacuum reuses the space; VACUUM FULL gives it back to the system")
	}
	sc.LockTimeout = 300 * time.Millisecond
	res, err := store.Compact(sc)
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("compact: %s is in use by a running imbot; compaction works offline only: stop the daemon (systemctl stop imbot), run imbot compact, start it again", sc.Path)
	}
	if err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	fmt.Fprintf(stdout, "compact: %s: %d bytes before, %d after\n", sc.Path, res.Before, res.After)
	return nil
}
