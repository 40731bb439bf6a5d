package admin

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"time"
)

// The admin API's paths.
const (
	pathBackup     = "/admin/backup"
	pathExport     = "/admin/export"
	pathUnanswered = "/admin/unanswered"
	pathChat       = "/admin/chat"
	pathStats      = "/admin/stats"
)

// Call is one request of the admin API: a running daemon answers it over
// HTTP (Client.Do), and the CLI answers it itself from the store when no
// daemon holds the file (Call.Answer). Both write the same bytes.
type Call struct {
	path   string
	since  time.Time
	format string
}

// Backup is the call for a consistent copy of the store.
func Backup() Call { return Call{path: pathBackup} }

// Export is the call for every conversation as one JSON line each.
func Export() Call { return Call{path: pathExport} }

// Stats is the call for the store's counts and file use, as one JSON
// object.
func Stats() Call { return Call{path: pathStats} }

// Unanswered is the call for the questions the bot could not answer well
// since the given time (zero: all), as "jsonl" or "csv".
func Unanswered(since time.Time, format string) (Call, error) {
	if format != "jsonl" && format != "csv" {
		return Call{}, fmt.Errorf("format: want jsonl or csv, got %q", format)
	}
	return Call{path: pathUnanswered, since: since, format: format}, nil
}

// parseCall reads the call a request to path with query q asks for.
func parseCall(path string, q url.Values, now time.Time) (Call, error) {
	if path != pathUnanswered {
		return Call{path: path}, nil
	}
	since, err := ParseSince(q.Get("since"), now)
	if err != nil {
		return Call{}, err
	}
	format := q.Get("format")
	if format == "" {
		format = "jsonl"
	}
	return Unanswered(since, format)
}

// url returns the call's path and query.
func (c Call) url() string {
	if c.path != pathUnanswered {
		return c.path
	}
	q := url.Values{"format": {c.format}}
	if !c.since.IsZero() {
		q.Set("since", c.since.Format(time.RFC3339))
	}
	return c.path + "?" + q.Encode()
}

// contentType is the media type of the call's answer.
func (c Call) contentType() string {
	switch {
	case c.path == pathBackup:
		return "application/octet-stream"
	case c.path == pathStats:
		return "application/json"
	case c.format == "csv":
		return "text/csv; charset=utf-8"
	}
	return "application/x-ndjson"
}

// Answer writes the call's answer from st to w.
func (c Call) Answer(ctx context.Context, st Store, w io.Writer) error {
	switch c.path {
	case pathBackup:
		_, err := st.Backup(ctx, w)
		return err
	case pathExport:
		return writeExport(ctx, st, w)
	case pathStats:
		return st.WriteStats(ctx, w)
	case pathUnanswered:
		qs, err := st.Unanswered(ctx, c.since)
		if err != nil {
			return err
		}
		return writeUnanswered(w, qs, c.format)
	}
	return fmt.Errorf("admin: unknown call %q", c.path)
}

// ParseSince reads a -since value: empty (everything), an RFC 3339 time, a
// date (YYYY-MM-DD) or a duration back from now ("24h").
func ParseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("since: want an RFC 3339 time, a date (2006-01-02) or a duration (24h), got %q", s)
}
