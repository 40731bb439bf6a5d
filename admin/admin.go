// Package admin owns the daemon's operational HTTP surface: /healthz,
// /readyz with each provider's breaker state, the /metrics mount, and the
// /admin API through which the CLI's backup, export and "faq unanswered"
// reach a store the running daemon holds locked (and `imbot chat` its
// conversations), with the Guard that keeps
// that API to the operator. It also holds the CLI's side of that API
// (Call, Client). It depends on core's interfaces and on what main hands in;
// it never imports an adapter or the store.
package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"imbot/core"
)

// Config is what the admin surface needs from the [server] section.
type Config struct {
	// Listen is the daemon's listen address. Without a token, a request
	// whose Host names its host counts as local; Client dials it.
	Listen string
	// Token is the bearer token /admin/* requires; when empty, only direct
	// requests from this host are let in.
	Token string
}

// Store is what the admin API reads from the store. Its methods may be
// called concurrently.
type Store interface {
	// Backup writes a consistent copy of the store to w.
	Backup(ctx context.Context, w io.Writer) (int64, error)
	// Export calls fn with every conversation and its messages.
	Export(ctx context.Context, fn func(conv core.ConversationKey, msgs []core.Message) error) error
	// Unanswered returns the queued questions at or after since, oldest
	// first.
	Unanswered(ctx context.Context, since time.Time) ([]core.UnansweredQuestion, error)
}

// Deps are the parts the HTTP surface reports on or serves, built by main.
type Deps struct {
	// Store answers the /admin API. Required.
	Store Store
	// Checks are the components /readyz asks, in order.
	Checks []Check
	// Providers reports the provider chains for /readyz. Required.
	Providers ProviderReport
	// Metrics serves /metrics; nil mounts none.
	Metrics http.Handler
	// Logger logs failed admin requests; nil discards.
	Logger *slog.Logger
	// Chat runs one `imbot chat` turn (POST /admin/chat); nil mounts none.
	Chat http.Handler
}

// Server is the daemon's operational HTTP surface. It is safe for
// concurrent use once mounted.
type Server struct {
	guard Guard
	deps  Deps
	log   *slog.Logger
}

var _ core.Mounter = (*Server)(nil)

// New returns the surface for cfg and deps. It starts nothing.
func New(cfg Config, deps Deps) (*Server, error) {
	if deps.Store == nil || deps.Providers == nil {
		return nil, errors.New("admin: a store and a provider report are required")
	}
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{guard: NewGuard(cfg), deps: deps, log: log}, nil
}

// Mount registers /healthz, /readyz, /metrics and the /admin API on mux.
func (s *Server) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", s.serveReady)
	if s.deps.Metrics != nil {
		mux.Handle("GET /metrics", s.deps.Metrics)
	}
	for _, p := range []string{pathBackup, pathExport, pathUnanswered} {
		mux.Handle("GET "+p, s.guard.Wrap(http.HandlerFunc(s.serveCall)))
	}
	if s.deps.Chat != nil {
		mux.Handle("POST "+pathChat, s.guard.Wrap(s.deps.Chat))
	}
}

// serveCall answers one admin API call from the store.
func (s *Server) serveCall(w http.ResponseWriter, r *http.Request) {
	c, err := parseCall(r.URL.Path, r.URL.Query(), time.Now())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", c.contentType())
	if err := c.Answer(r.Context(), s.deps.Store, w); err != nil {
		s.log.Error("admin request failed", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}
