// Package openaiapi serves an OpenAI-compatible chat API on the daemon's
// listener: POST /v1/chat/completions, streamed as server-sent events or
// whole, and GET /v1/models. The model "imbot-auto" is the hybrid router
// (knowledge base first, then the provider chains, with the degraded reply
// when every provider fails); each configured provider is also a model of
// its own, for direct use. Like any OpenAI server it is stateless: a
// request's messages are its whole context, nothing is read from or written
// to history, and the client owns retries. Questions that end degraded
// still reach the unanswered queue.
package openaiapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"imbot/core"
	"imbot/core/catalog"
	"imbot/core/kit"
	"imbot/core/metric"
	"imbot/core/token"
)

// Platform is the platform of the envelopes the API hands the router; it
// names the API's questions in the unanswered queue.
const Platform core.Platform = "api"

// AutoModel is the model id of the hybrid router.
const AutoModel = "imbot-auto"

// Authenticator maps an API key to the user it speaks for (a stable id that
// never reveals the key), and reports whether the key is valid. It is
// called concurrently.
type Authenticator func(key string) (user string, ok bool)

// Model is a provider offered for direct use: asked by its name or its
// model id, it answers through its Streamer (the provider alone, with its
// retries and breaker).
type Model struct {
	Name     string
	ID       string
	Streamer core.Streamer
}

// Deps are what the API answers with, built by main.
type Deps struct {
	// Router answers imbot-auto. Required.
	Router core.Answerer
	// Auth checks API keys. Required.
	Auth Authenticator
	// Models are the providers for direct use.
	Models []Model
	// Unanswered records questions a direct model failed; nil records none.
	Unanswered core.UnansweredLog
	// Picker picks each question's language; nil picks Chinese last.
	Picker *catalog.Picker
	// Count estimates tokens for usage; nil uses token.Count.
	Count   func(string) int
	Metrics metric.Meter
	Logger  *slog.Logger
	Now     func() time.Time
}

// Server is the API. It is safe for concurrent use once mounted.
type Server struct {
	cfg     Config
	deps    Deps
	limiter *kit.KeyedLimiter
	metrics metrics
}

var _ core.Mounter = (*Server)(nil)

// New checks cfg and deps and returns the API. It starts nothing.
func New(cfg Config, deps Deps) (*Server, error) {
	if p := cfg.Validate(); len(p) > 0 {
		return nil, fmt.Errorf("openaiapi: config: %s", strings.Join(p, "; "))
	}
	if deps.Router == nil || deps.Auth == nil {
		return nil, errors.New("openaiapi: a router and an authenticator are required")
	}
	if deps.Picker == nil {
		deps.Picker = catalog.NewPicker(catalog.ZH)
	}
	if deps.Count == nil {
		deps.Count = token.Count
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	return &Server{cfg: cfg, deps: deps, limiter: kit.NewKeyedLimiter(cfg.RatePerMinute, cfg.RateBurst),
		metrics: newMetrics(deps.Metrics)}, nil
}

// Mount registers the API's routes on mux.
func (s *Server) Mount(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/chat/completions", s.serveChat)
	mux.HandleFunc("GET /v1/models", s.serveModels)
}

// serveModels lists imbot-auto and every provider, by name.
func (s *Server) serveModels(w http.ResponseWriter, r *http.Request) {
	if _, e := s.admit(w, r); e != nil {
		writeError(w, e)
		return
	}
	list := modelList{Object: "list", Data: []modelEntry{{ID: AutoModel, Object: "model", OwnedBy: "imbot"}}}
	for _, m := range s.deps.Models {
		list.Data = append(list.Data, modelEntry{ID: m.Name, Object: "model", OwnedBy: "imbot"})
	}
	writeJSON(w, http.StatusOK, list)
}

// serveChat answers one chat completion request.
func (s *Server) serveChat(w http.ResponseWriter, r *http.Request) {
	start := s.deps.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	route := s.chat(rec, r)
	s.metrics.request(rec.status, route, s.deps.Now().Sub(start))
}

// chat answers a request and returns the route of its answer ("" when it
// got none).
func (s *Server) chat(w http.ResponseWriter, r *http.Request) core.Route {
	kit.BodyDeadline(w, s.cfg.BodyTimeout)
	user, e := s.admit(w, r)
	if e != nil {
		writeError(w, e)
		return ""
	}
	body, err := kit.ReadBody(w, r, s.cfg.MaxBodyBytes, s.cfg.BodyTimeout)
	switch {
	case errors.Is(err, kit.ErrBodyTooLarge):
		writeError(w, errTooLarge())
		return ""
	case err != nil:
		writeError(w, newError(kit.BodyStatus(err), "invalid_request_error", "", "", "The request body could not be read."))
		return ""
	}
	q, e := parseRequest(body)
	if e != nil {
		writeError(w, e)
		return ""
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
	defer cancel()
	if q.model == "" || q.model == AutoModel {
		return s.auto(ctx, w, s.envelope(r, user, q), q)
	}
	m, ok := s.model(q.model)
	if !ok {
		writeError(w, errNoModel(q.model))
		return ""
	}
	return s.direct(ctx, w, s.envelope(r, user, q), q, m)
}

// admit checks the key and the key's rate limit and returns its user.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) (string, *apiError) {
	key, ok := bearerKey(r)
	user := ""
	if ok {
		user, ok = s.deps.Auth(key)
	}
	if !ok {
		return "", errBadKey()
	}
	if !s.limiter.Allow(user, s.deps.Now()) {
		w.Header().Set("Retry-After", strconv.Itoa(s.retryAfter()))
		return "", errRateLimited()
	}
	return user, nil
}

// retryAfter is how many seconds a key's bucket takes to earn one request.
func (s *Server) retryAfter() int {
	return int(math.Ceil(60 / s.cfg.RatePerMinute))
}

// model finds a provider by name or model id.
func (s *Server) model(name string) (Model, bool) {
	for _, m := range s.deps.Models {
		if m.Name == name || m.ID == name {
			return m, true
		}
	}
	return Model{}, false
}

// envelope is q as the router sees it: a stateless question of user's, in
// the language the Picker chooses.
func (s *Server) envelope(r *http.Request, user string, q question) core.Envelope {
	transcript := make([]core.Message, 0, len(q.earlier))
	for _, m := range q.earlier {
		transcript = append(transcript, core.Message{Role: core.Role(m.Role), Text: m.Content})
	}
	env := core.Envelope{Platform: Platform, ChatID: core.ChatID(user), ChatKind: core.ChatDirect,
		UserID: core.UserID(user), MessageID: core.MessageID(newID()), Text: q.text,
		Received: s.deps.Now(), LangHint: langHint(r), Transcript: &core.Transcript{Messages: transcript}}
	env.Lang = s.deps.Picker.Pick(env.Sender(), env.Text, env.LangHint)
	return env
}

// promptTokens estimates the tokens of q's messages.
func (s *Server) promptTokens(q question) int {
	n := 0
	for _, m := range q.messages() {
		n += s.deps.Count(m.Content) + token.PerMessage
	}
	return n
}

// statusRecorder remembers the status of a response, for metrics.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController flush and set deadlines.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
