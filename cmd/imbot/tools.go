package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"imbot/store"
)

// runCheck is `imbot check [-config FILE]`: load and validate the
// configuration and say what would run.
func runCheck(args []string, stdout, stderr io.Writer) error {
	fs, configPath := commandFlags("check", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*configPath, envLookup)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "config %s is valid\n", displayPath(*configPath))
	fmt.Fprintf(stdout, "  listen     %s\n  store      %s\n", cfg.Server.Listen, cfg.Store.Path)
	for _, p := range cfg.Providers {
		fmt.Fprintf(stdout, "  provider   %s: %s at %s (third_party=%v)\n", p.Name, p.Model, p.BaseURL, p.ThirdParty)
	}
	fmt.Fprintf(stdout, "  general    %s\n", strings.Join(cfg.Router.General, " → "))
	if len(cfg.Router.Business) > 0 {
		fmt.Fprintf(stdout, "  business   %s\n", strings.Join(cfg.Router.Business, " → "))
	}
	a := cfg.Adapters
	fmt.Fprintf(stdout, "  adapters   web=%v telegram=%v feishu=%v\n", a.Web.Enabled, a.Telegram.Enabled, a.Feishu.Enabled)
	return nil
}

// runBackup is `imbot backup [-config FILE] -o OUT`: a consistent copy of
// the store, taken online (from the running daemon when it holds the file).
func runBackup(args []string, stdout, stderr io.Writer) error {
	fs, configPath := commandFlags("backup", stderr)
	out := fs.String("o", "", "backup file to write (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("backup: -o FILE is required")
	}
	cfg, err := loadReadOnlyConfig(*configPath, envLookup)
	if err != nil {
		return err
	}
	ctx := context.Background()
	n, err := writeFileAtomic(*out, func(w io.Writer) error {
		return withStore(ctx, cfg, w, "/admin/backup", func(st *store.Store) error {
			_, err := st.Backup(ctx, w)
			return err
		})
	})
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backup: wrote %d bytes to %s\n", n, *out)
	return nil
}

// runExport is `imbot export [-config FILE] [-o OUT]`: every conversation as
// one JSON line, to OUT or standard output.
func runExport(args []string, stdout, stderr io.Writer) error {
	fs, configPath := commandFlags("export", stderr)
	out := fs.String("o", "-", "file to write; - for standard output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadReadOnlyConfig(*configPath, envLookup)
	if err != nil {
		return err
	}
	ctx := context.Background()
	return toOutput(*out, stdout, func(w io.Writer) error {
		return withStore(ctx, cfg, w, "/admin/export", func(st *store.Store) error {
			return writeExport(ctx, st, w)
		})
	})
}

// runFAQUnanswered is `imbot faq unanswered [-config FILE] [-since T]
// [-format jsonl|csv]`.
func runFAQUnanswered(args []string, stdout, stderr io.Writer) error {
	fs, configPath := commandFlags("faq unanswered", stderr)
	sinceFlag := fs.String("since", "", "only questions since this time: RFC 3339, a date (2006-01-02) or a duration back from now (24h)")
	format := fs.String("format", "jsonl", "output format: jsonl or csv")
	if err := fs.Parse(args); err != nil {
		return err
	}
	since, err := parseSince(*sinceFlag, time.Now())
	if err != nil {
		return err
	}
	if *format != "jsonl" && *format != "csv" {
		return fmt.Errorf("format: want jsonl or csv, got %q", *format)
	}
	cfg, err := loadReadOnlyConfig(*configPath, envLookup)
	if err != nil {
		return err
	}
	path := "/admin/unanswered?format=" + *format + "&since=" + since.Format(time.RFC3339)
	if since.IsZero() {
		path = "/admin/unanswered?format=" + *format
	}
	ctx := context.Background()
	return withStore(ctx, cfg, stdout, path, func(st *store.Store) error {
		qs, err := st.Unanswered(ctx, since)
		if err != nil {
			return err
		}
		return writeUnanswered(stdout, qs, *format)
	})
}

// withStore runs local on the store when no daemon holds it; when a running
// daemon holds the file lock, it asks that daemon for adminPath instead and
// copies the answer to w.
func withStore(ctx context.Context, cfg Config, w io.Writer, adminPath string, local func(*store.Store) error) error {
	sc := cfg.Store
	sc.LockTimeout = 300 * time.Millisecond
	st, err := store.Open(sc)
	if errors.Is(err, store.ErrLocked) {
		return fetchAdmin(ctx, cfg.Server, adminPath, w)
	}
	if err != nil {
		return err
	}
	defer st.Close()
	return local(st)
}

// fetchAdmin copies the running daemon's answer for path to w.
func fetchAdmin(ctx context.Context, s ServerConfig, path string, w io.Writer) error {
	host, port, err := net.SplitHostPort(s.Listen)
	if err != nil {
		return fmt.Errorf("server.listen %q: %w", s.Listen, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+path, nil)
	if err != nil {
		return err
	}
	if s.AdminToken != "" {
		req.Header.Set("Authorization", "Bearer "+s.AdminToken)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Minute}).Do(req)
	if err != nil {
		return fmt.Errorf("the store is locked by a running daemon, which did not answer: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("running daemon answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	_, err = io.Copy(w, resp.Body)
	return err
}

// writeFileAtomic writes path through a temporary file in the same folder,
// synced and renamed into place, so a failed write leaves nothing behind.
func writeFileAtomic(path string, write func(io.Writer) error) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	cw := &countingWriter{w: tmp}
	if err := write(cw); err != nil {
		tmp.Close()
		return 0, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	return cw.n, os.Rename(tmp.Name(), path)
}

// toOutput runs write on stdout for "-" or on the file out, atomically.
func toOutput(out string, stdout io.Writer, write func(io.Writer) error) error {
	if out == "-" {
		return write(stdout)
	}
	_, err := writeFileAtomic(out, write)
	return err
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
