// Package admin owns the daemon's operational HTTP surface: /healthz,
// /readyz with each provider's breaker state, the /metrics mount, the
// /admin API through which the CLI's backup, export, stats and "faq
// unanswered" reach a store the running daemon holds locked (and `imbot
// chat` its conversations), and the
// runtime profiles under /debug/pprof/, with the Guard that keeps the last
// two to the operator. It also holds the CLI's side of that API
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
	"net/http/pprof"
	"sync/atomic"
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
	// TurnRecords returns the records of turns answered at or after
	// since, oldest first.
	TurnRecords(ctx context.Context, since time.Time) ([]core.TurnRecord, error)
	// ForgetUser erases everything kept about user of platform.
	ForgetUser(ctx context.Context, platform core.Platform, user core.UserID) (core.Erased, error)
	// WriteStats writes the store's counts and file use to w as one JSON
	// object.
	WriteStats(ctx context.Context, w io.Writer) error
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
	cfg   Config
	guard atomic.Pointer[Guard]
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
	s := &Server{cfg: cfg, deps: deps, log: log}
	s.SetToken(cfg.Token)
	return s, nil
}

// SetToken replaces the admin token (on reload); requests already past the
// guard are not affected.
func (s *Server) SetToken(token string) {
	cfg := s.cfg
	cfg.Token = token
	g := NewGuard(cfg)
	s.guard.Store(&g)
}

// operator wraps next in the guard in force when a request arrives.
func (s *Server) operator(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.guard.Load().Wrap(next).ServeHTTP(w, r)
	})
}

// Mount registers /healthz, /readyz, /metrics, the /admin API and the
// runtime profiles under /debug/pprof/ on mux; the last two only for the
// operator (Guard).
func (s *Server) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", s.serveReady)
	if s.deps.Metrics != nil {
		mux.Handle("GET /metrics", s.deps.Metrics)
	}
	for _, p := range []string{pathBackup, pathExport, pathUnanswered, pathStats, pathFeedback, pathTurns} {
		mux.Handle("GET "+p, s.operator(http.HandlerFunc(s.serveCall)))
	}
	if s.deps.Chat != nil {
		mux.Handle("POST "+pathChat, s.operator(s.deps.Chat))
	}
	mux.Handle("POST "+pathForget, s.operator(http.HandlerFunc(s.serveCall)))
	s.mountProfiles(mux)
}

// mountProfiles serves net/http/pprof's handlers under /debug/pprof/ behind
// the guard: profiles show code paths, memory and command lines, and a CPU
// profile or trace costs CPU while it runs.
func (s *Server) mountProfiles(mux *http.ServeMux) {
	mux.Handle("GET /debug/pprof/", s.operator(http.HandlerFunc(pprof.Index)))
	mux.Handle("GET /debug/pprof/cmdline", s.operator(http.HandlerFunc(pprof.Cmdline)))
	mux.Handle("GET /debug/pprof/profile", s.operator(http.HandlerFunc(pprof.Profile)))
	mux.Handle("GET /debug/pprof/symbol", s.operator(http.HandlerFunc(pprof.Symbol)))
	mux.Handle("POST /debug/pprof/symbol", s.operator(http.HandlerFunc(pprof.Symbol)))
	mux.Handle("GET /debug/pprof/trace", s.operator(http.HandlerFunc(pprof.Trace)))
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
