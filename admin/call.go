package admin

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"imbot/core"
	"imbot/core/safety/pii"
)

// The admin API's paths.
const (
	pathBackup     = "/admin/backup"
	pathExport     = "/admin/export"
	pathUnanswered = "/admin/unanswered"
	pathFeedback   = "/admin/feedback"
	pathTurns      = "/admin/turns"
	pathChat       = "/admin/chat"
	pathForget     = "/admin/forget-user"
	pathStats      = "/admin/stats"
)

// Call is one request of the admin API: a running daemon answers it over
// HTTP (Client.Do), and the CLI answers it itself from the store when no
// daemon holds the file (Call.Answer). Both write the same bytes.
type Call struct {
	path   string
	since  time.Time
	format string
	raw    bool   // export and unanswered: personal data unmasked
	user   string // forget-user: "platform:user_id"
}

// Backup is the call for a consistent copy of the store.
func Backup() Call { return Call{path: pathBackup} }

// Export is the call for every conversation as one JSON line each.
func Export() Call { return Call{path: pathExport} }

// Raw returns c asking for personal data as stored: an export or the
// unanswered queue is otherwise written with phone, ID and card numbers and
// e-mail addresses replaced by placeholders.
func (c Call) Raw() Call {
	c.raw = true
	return c
}

// ForgetUser is the call that erases everything the store keeps about
// user, written "platform:user_id".
func ForgetUser(user string) (Call, error) {
	if _, _, err := splitUser(user); err != nil {
		return Call{}, err
	}
	return Call{path: pathForget, user: user}, nil
}

// splitUser splits "platform:user_id".
func splitUser(s string) (core.Platform, core.UserID, error) {
	p, u, ok := strings.Cut(s, ":")
	if !ok || p == "" || u == "" {
		return "", "", fmt.Errorf("user: want PLATFORM:ID such as telegram:123456, got %q", s)
	}
	return core.Platform(p), core.UserID(u), nil
}

// Stats is the call for the store's counts and file use, as one JSON
// object.
func Stats() Call { return Call{path: pathStats} }

// Unanswered is the call for the questions the bot could not answer well
// since the given time (zero: all), as "jsonl" or "csv".
func Unanswered(since time.Time, format string) (Call, error) {
	return listCall(pathUnanswered, since, format)
}

// Feedback is the call for the votes on answers given since the given time
// (zero: all), as "jsonl" or "csv".
func Feedback(since time.Time, format string) (Call, error) {
	return listCall(pathFeedback, since, format)
}

// Turns is the call for what experiments compare of each turn answered
// since the given time (zero: all), as JSON lines of TurnLine.
func Turns(since time.Time) Call { return Call{path: pathTurns, since: since, format: "jsonl"} }

// listCall is a call for a list since a time in a format.
func listCall(path string, since time.Time, format string) (Call, error) {
	if format != "jsonl" && format != "csv" {
		return Call{}, fmt.Errorf("format: want jsonl or csv, got %q", format)
	}
	return Call{path: path, since: since, format: format}, nil
}

// parseCall reads the call a request to path with query q asks for.
func parseCall(path string, q url.Values, now time.Time) (Call, error) {
	raw := q.Get("raw") == "1"
	switch path {
	case pathForget:
		return ForgetUser(q.Get("user"))
	case pathUnanswered, pathFeedback, pathTurns:
	default:
		return Call{path: path, raw: raw}, nil
	}
	since, err := ParseSince(q.Get("since"), now)
	if err != nil {
		return Call{}, err
	}
	format := q.Get("format")
	if format == "" {
		format = "jsonl"
	}
	if path == pathTurns {
		return Turns(since), nil
	}
	c, err := listCall(path, since, format)
	c.raw = raw
	return c, err
}

// url returns the call's path and query.
func (c Call) url() string {
	q := url.Values{}
	if c.format != "" {
		q.Set("format", c.format)
	}
	if !c.since.IsZero() {
		q.Set("since", c.since.Format(time.RFC3339))
	}
	if c.raw {
		q.Set("raw", "1")
	}
	if c.user != "" {
		q.Set("user", c.user)
	}
	if len(q) == 0 {
		return c.path
	}
	return c.path + "?" + q.Encode()
}

// method is the HTTP method of the call: POST for the one that changes the
// store.
func (c Call) method() string {
	if c.path == pathForget {
		return http.MethodPost
	}
	return http.MethodGet
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
	case c.path == pathForget:
		return "application/json"
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
		m, err := c.masker()
		if err != nil {
			return err
		}
		return writeExport(ctx, st, w, m)
	case pathStats:
		return st.WriteStats(ctx, w)
	case pathUnanswered:
		m, err := c.masker()
		if err != nil {
			return err
		}
		qs, err := st.Unanswered(ctx, c.since)
		if err != nil {
			return err
		}
		return writeUnanswered(w, maskQuestions(qs, m), c.format)
	case pathFeedback:
		m, err := c.masker()
		if err != nil {
			return err
		}
		recs, err := st.TurnRecords(ctx, time.Time{})
		if err != nil {
			return err
		}
		return writeFeedback(w, maskRecords(votedSince(recs, c.since), m), c.format)
	case pathTurns:
		recs, err := st.TurnRecords(ctx, c.since)
		if err != nil {
			return err
		}
		return writeTurns(w, recs)
	case pathForget:
		return forget(ctx, st, w, c.user)
	}
	return fmt.Errorf("admin: unknown call %q", c.path)
}

// masker returns the personal-data masker of an export with the built-in
// detectors, nil for a raw one.
func (c Call) masker() (*pii.Masker, error) {
	if c.raw {
		return nil, nil
	}
	return pii.New(nil)
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
