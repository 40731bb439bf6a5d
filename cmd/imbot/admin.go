package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"imbot/core"
	"imbot/store"
)

// Admin endpoints let the operator's CLI read a running daemon's store,
// which the daemon holds locked: /admin/backup, /admin/export and
// /admin/unanswered. They need the admin token when one is configured, and
// otherwise answer only requests that come straight from the local CLI: from
// a loopback address, for a loopback Host, and without the marks of a
// reverse proxy or a browser. A proxy on the same host (nginx on 127.0.0.1
// relaying the internet) connects from loopback too, and a browser tricked
// by DNS rebinding connects to loopback under the attacker's host name;
// neither may read the store without the token.

// mountAdmin registers the admin endpoints on mux.
func (d *daemon) mountAdmin(mux *http.ServeMux) {
	mux.Handle("GET /admin/backup", d.admin(func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, err := d.store.Backup(r.Context(), w)
		return err
	}))
	mux.Handle("GET /admin/export", d.admin(func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "application/x-ndjson")
		return writeExport(r.Context(), d.store, w)
	}))
	mux.Handle("GET /admin/unanswered", d.admin(func(w http.ResponseWriter, r *http.Request) error {
		since, err := parseSince(r.URL.Query().Get("since"), time.Now())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return nil
		}
		format := r.URL.Query().Get("format")
		qs, err := d.store.Unanswered(r.Context(), since)
		if err != nil {
			return err
		}
		return writeUnanswered(w, qs, format)
	}))
}

// admin wraps an admin handler with its access check and error handling.
func (d *daemon) admin(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !d.adminAllowed(r) {
			http.Error(w, "admin access needs the admin token (or, when none is set, a direct request from this host)", http.StatusUnauthorized)
			return
		}
		if err := h(w, r); err != nil {
			d.log.Error("admin request failed", "path", r.URL.Path, "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	})
}

// adminAllowed reports whether r may use the admin endpoints: it carries
// the admin token or, when none is configured, comes straight from the
// local CLI.
func (d *daemon) adminAllowed(r *http.Request) bool {
	if tok := d.cfg.Server.AdminToken; tok != "" {
		return validAdminToken(r.Header.Get("Authorization"), tok)
	}
	return localCLIRequest(r, d.cfg.Server.Listen)
}

// validAdminToken reports whether the Authorization header carries the
// bearer token tok. Both are compared as SHA-256 digests in constant time,
// so the comparison does not reveal the token's length either.
func validAdminToken(header, tok string) bool {
	const prefix = "bearer "
	if len(header) < len(prefix) || !strings.EqualFold(header[:len(prefix)], prefix) {
		return false
	}
	got, want := sha256.Sum256([]byte(header[len(prefix):])), sha256.Sum256([]byte(tok))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// proxyHeaders are added by reverse proxies (nginx, Caddy, Traefik, Apache,
// HAProxy, Envoy); the admin CLI never sends them.
var proxyHeaders = []string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-Ip", "Via"}

// localCLIRequest reports whether r looks like the admin CLI on this host
// talking to the daemon directly, as fetchAdmin does: a loopback peer, a
// Host that is a loopback address, "localhost" or the listen host, HTTP/1.1
// or newer, no proxy headers and no cross-site browser request. nginx's
// proxy_pass speaks HTTP/1.0 unless told otherwise, which catches a proxy
// that adds no headers and rewrites Host to the upstream's address.
func localCLIRequest(r *http.Request, listen string) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return false
	}
	if !r.ProtoAtLeast(1, 1) || !localHost(r.Host, listen) {
		return false
	}
	for _, h := range proxyHeaders {
		if _, ok := r.Header[h]; ok {
			return false
		}
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return false
	}
	return true
}

// localHost reports whether the Host header names this machine's loopback
// interface: a loopback IP, localhost, or the host of the listen address
// (what fetchAdmin dials when the daemon listens on a name).
func localHost(hostHeader, listen string) bool {
	h := hostHeader
	if hp, _, err := net.SplitHostPort(hostHeader); err == nil {
		h = hp
	}
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	if h == "" {
		return false
	}
	if ip := net.ParseIP(h); ip != nil {
		return ip.IsLoopback()
	}
	if strings.EqualFold(h, "localhost") {
		return true
	}
	lh, _, err := net.SplitHostPort(listen)
	return err == nil && lh != "" && strings.EqualFold(h, lh)
}

// exportedConversation is one line of `imbot export`.
type exportedConversation struct {
	Conversation string            `json:"conversation"`
	Messages     []exportedMessage `json:"messages"`
}

// exportedMessage is one message of an exportedConversation.
type exportedMessage struct {
	Role     string    `json:"role"`
	Text     string    `json:"text"`
	At       time.Time `json:"at"`
	Route    string    `json:"route,omitempty"`
	Provider string    `json:"provider,omitempty"`
	Model    string    `json:"model,omitempty"`
	Tokens   int       `json:"tokens,omitempty"`
}

// writeExport writes every conversation as one JSON line.
func writeExport(ctx context.Context, st *store.Store, w io.Writer) error {
	enc := json.NewEncoder(w)
	return st.Export(ctx, func(conv core.ConversationKey, msgs []core.Message) error {
		line := exportedConversation{Conversation: conv.Label(), Messages: make([]exportedMessage, len(msgs))}
		for i, m := range msgs {
			line.Messages[i] = exportedMessage{Role: string(m.Role), Text: m.Text, At: m.At, Route: string(m.Route),
				Provider: m.Provider, Model: m.Model, Tokens: m.Tokens}
		}
		return enc.Encode(line)
	})
}

// unansweredLine is one exported unanswered question.
type unansweredLine struct {
	Question     string           `json:"question"`
	Conversation string           `json:"conversation"`
	Platform     string           `json:"platform"`
	At           time.Time        `json:"at"`
	Reason       string           `json:"reason"`
	Candidates   []core.Candidate `json:"candidates"`
}

// writeUnanswered writes questions as JSON lines or CSV.
func writeUnanswered(w io.Writer, qs []core.UnansweredQuestion, format string) error {
	switch format {
	case "", "jsonl":
		enc := json.NewEncoder(w)
		for _, q := range qs {
			if err := enc.Encode(unansweredLine{Question: q.Question, Conversation: q.Conversation.Label(),
				Platform: string(q.Platform), At: q.At, Reason: q.Reason, Candidates: q.Candidates}); err != nil {
				return err
			}
		}
		return nil
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"at", "platform", "conversation", "reason", "question", "candidates"})
		for _, q := range qs {
			cands := make([]string, len(q.Candidates))
			for i, c := range q.Candidates {
				cands[i] = c.ID + ":" + strconv.FormatFloat(c.Score, 'f', 3, 64)
			}
			_ = cw.Write([]string{q.At.UTC().Format(time.RFC3339), string(q.Platform),
				q.Conversation.Label(), q.Reason, q.Question, strings.Join(cands, ";")})
		}
		cw.Flush()
		return cw.Error()
	}
	return fmt.Errorf("unknown format %q: want jsonl or csv", format)
}

// parseSince reads -since: empty (everything), an RFC 3339 time, a date
// (YYYY-MM-DD) or a duration back from now ("24h").
func parseSince(s string, now time.Time) (time.Time, error) {
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
