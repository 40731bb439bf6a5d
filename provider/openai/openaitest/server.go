// Package openaitest is a fake OpenAI-compatible API for tests and
// benchmarks: /v1/chat/completions (streamed as server-sent events) and
// /v1/embeddings, with scripted answers and failures — errors with
// Retry-After, hangs, dropped streams, slow chunks, keep-alive lines — and a
// record of every request it received.
//
// The fake checks what a well-behaved client sends (method, path, bearer
// token, JSON body with model, messages, "stream": true and
// "stream_options": {"include_usage": true}) and reports violations with
// t.Errorf. It listens on 127.0.0.1 only and closes when the test ends.
package openaitest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// maxRequestBytes bounds a request body the fake will read.
const maxRequestBytes = 8 << 20

// Request is one request the fake received.
type Request struct {
	Path          string // "/v1/chat/completions" or "/v1/embeddings"
	Authorization string
	Model         string
	Messages      []Message // chat requests
	Stream        bool
	IncludeUsage  bool
	// MaxTokens is max_tokens or, if that is absent, max_completion_tokens.
	MaxTokens   int
	Temperature float64
	Input       []string // embeddings requests
}

// LastUser returns the content of the request's last user message, "" when
// it has none.
func (r Request) LastUser() string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" {
			return r.Messages[i].Content
		}
	}
	return ""
}

// Message is one chat message of a recorded request.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Server is the fake API. Its methods are safe for concurrent use.
type Server struct {
	t       testing.TB
	ts      *httptest.Server
	apiKeys []string
	model   string
	dims    int
	embed   func(text string) []float32
	script  func(Request) Response
	deflt   Response
	// answer401 answers a wrong key with 401 instead of failing the test.
	answer401 bool
	done      chan struct{} // closed when the test ends, to release hanging handlers

	mu       sync.Mutex
	queue    []Response
	failLeft int
	failWith Response
	requests []Request
	pings    int
	changed  chan struct{} // closed and replaced on every new request
}

// Option configures a Server.
type Option func(*Server)

// WithAPIKey makes the fake require "Authorization: Bearer key" with one of
// keys, as a provider accepts both keys while one is rotated. Without it,
// the fake requires no Authorization header at all.
func WithAPIKey(keys ...string) Option { return func(s *Server) { s.apiKeys = keys } }

// WithUnauthorized makes the fake answer a request with a wrong or missing
// key with 401, as a real provider does, instead of failing the test: for
// tests of how a wrong key is reported.
func WithUnauthorized() Option { return func(s *Server) { s.answer401 = true } }

// WithModel makes the fake require this model name in every chat request.
func WithModel(model string) Option { return func(s *Server) { s.model = model } }

// WithDefault sets the answer used when no scripted one is queued; the
// default default is Answer("ok"). With a fixed answer and no delays this
// is the zero-latency mode for benchmarks.
func WithDefault(r Response) Option { return func(s *Server) { s.deflt = r } }

// WithScript answers every request that FailFirst did not take by calling
// fn (from the handler's goroutine) instead of reading the queue.
func WithScript(fn func(Request) Response) Option { return func(s *Server) { s.script = fn } }

// FailFirst answers the first n requests with r (say, Fail(500)), then
// recovers.
func FailFirst(n int, r Response) Option {
	return func(s *Server) { s.failLeft, s.failWith = n, r }
}

// WithEmbeddingDims sets the size of the default embedding vectors (8).
func WithEmbeddingDims(n int) Option { return func(s *Server) { s.dims = n } }

// WithEmbedFunc computes embedding vectors with fn instead of the default
// deterministic hash of the text.
func WithEmbedFunc(fn func(text string) []float32) Option { return func(s *Server) { s.embed = fn } }

// New starts a fake on 127.0.0.1 that closes when the test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{t: t, dims: 8, deflt: Answer("ok"), done: make(chan struct{}), changed: make(chan struct{})}
	for _, opt := range opts {
		opt(s)
	}
	if s.embed == nil {
		s.embed = func(text string) []float32 { return hashVector(text, s.dims) }
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/chat/completions", s.handleChat)
	mux.HandleFunc("/v1/embeddings", s.handleEmbeddings)
	mux.HandleFunc("/v1/models", s.handleModels)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("openaitest: unexpected request %s %s", r.Method, r.URL.Path)
		writeError(w, Fail(http.StatusNotFound))
	})
	s.ts = httptest.NewServer(mux)
	t.Cleanup(s.ts.Close)
	t.Cleanup(func() { close(s.done) }) // runs first: releases hanging handlers
	return s
}

// URL returns the API base URL, including /v1.
func (s *Server) URL() string { return s.ts.URL + "/v1" }

// Enqueue adds answers for the next requests, in order.
func (s *Server) Enqueue(rs ...Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, rs...)
}

// Requests returns a copy of every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Calls returns how many requests were received.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// WaitRequests blocks until at least n requests were received or ctx ends.
func (s *Server) WaitRequests(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		got, changed := len(s.requests), s.changed
		s.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// record stores req and picks its answer.
func (s *Server) record(req Request) Response {
	s.mu.Lock()
	s.requests = append(s.requests, req)
	close(s.changed)
	s.changed = make(chan struct{})
	r := s.deflt
	switch {
	case s.failLeft > 0:
		s.failLeft--
		r = s.failWith
	case s.script != nil:
		s.mu.Unlock()
		return s.script(req) // unlocked: the script may call the Server
	case len(s.queue) > 0:
		r = s.queue[0]
		s.queue = s.queue[1:]
	}
	s.mu.Unlock()
	return r
}

// wireRequest is the JSON body of either endpoint.
type wireRequest struct {
	Model         string    `json:"model"`
	Messages      []Message `json:"messages"`
	Stream        bool      `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	MaxTokens           int             `json:"max_tokens"`
	MaxCompletionTokens int             `json:"max_completion_tokens"`
	Temperature         float64         `json:"temperature"`
	Input               json.RawMessage `json:"input"`
}

// decode checks the parts common to both endpoints and parses the body. It
// reports problems with t.Errorf, answers 400 and returns false.
func (s *Server) decode(w http.ResponseWriter, r *http.Request) (Request, bool) {
	req := Request{Path: r.URL.Path, Authorization: r.Header.Get("Authorization")}
	var problems []string
	if r.Method != http.MethodPost {
		problems = append(problems, "method "+r.Method+", want POST")
	}
	authorized := s.authorized(req.Authorization)
	if !authorized && s.answer401 {
		writeError(w, Fail(http.StatusUnauthorized))
		return req, false
	}
	if !authorized {
		problems = append(problems, "wrong or unexpected Authorization header")
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		problems = append(problems, "Content-Type "+ct+", want application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	var wire wireRequest
	if err == nil {
		err = json.Unmarshal(body, &wire)
	}
	if err != nil {
		problems = append(problems, "body: "+err.Error())
	}
	req.Model, req.Messages, req.Stream = wire.Model, wire.Messages, wire.Stream
	req.IncludeUsage = wire.StreamOptions != nil && wire.StreamOptions.IncludeUsage
	req.MaxTokens, req.Temperature = wire.MaxTokens, wire.Temperature
	if req.MaxTokens == 0 {
		req.MaxTokens = wire.MaxCompletionTokens
	}
	if len(wire.Input) > 0 {
		if req.Input, err = parseInput(wire.Input); err != nil {
			problems = append(problems, "input: "+err.Error())
		}
	}
	return req, s.reject(w, r, problems)
}

// authorized reports whether header is an Authorization header the fake
// accepts: "Bearer " and one of its keys, or none when it has no keys.
func (s *Server) authorized(header string) bool {
	if len(s.apiKeys) == 0 {
		return header == ""
	}
	for _, k := range s.apiKeys {
		if header == "Bearer "+k {
			return true
		}
	}
	return false
}

// reject reports problems (if any) and answers 400; it returns true when
// there were none.
func (s *Server) reject(w http.ResponseWriter, r *http.Request, problems []string) bool {
	if len(problems) == 0 {
		return true
	}
	s.t.Errorf("openaitest: bad request to %s: %s", r.URL.Path, strings.Join(problems, "; "))
	writeError(w, Fail(http.StatusBadRequest))
	return false
}

func (s *Server) handleChat(w http.ResponseWriter, r *http.Request) {
	req, ok := s.decode(w, r)
	if !ok {
		return
	}
	var problems []string
	if s.model != "" && req.Model != s.model {
		problems = append(problems, "model "+req.Model+", want "+s.model)
	}
	if len(req.Messages) == 0 {
		problems = append(problems, "no messages")
	}
	for i, m := range req.Messages {
		if m.Role != "system" && m.Role != "user" && m.Role != "assistant" {
			problems = append(problems, "message "+strconv.Itoa(i)+" has role "+m.Role)
		}
	}
	if !req.Stream {
		problems = append(problems, `"stream" is not true`)
	}
	if !req.IncludeUsage {
		problems = append(problems, `"stream_options.include_usage" is not true`)
	}
	if !s.reject(w, r, problems) {
		return
	}
	resp := s.record(req)
	if resp.failing() {
		writeError(w, resp)
		return
	}
	s.writeChat(w, r, req, resp)
}

func (s *Server) handleEmbeddings(w http.ResponseWriter, r *http.Request) {
	req, ok := s.decode(w, r)
	if !ok {
		return
	}
	if !s.reject(w, r, embeddingProblems(req)) {
		return
	}
	resp := s.record(req)
	if resp.failing() {
		writeError(w, resp)
		return
	}
	writeEmbeddings(w, req, s.embed)
}

func embeddingProblems(req Request) []string {
	var problems []string
	if req.Model == "" {
		problems = append(problems, "no model")
	}
	if len(req.Input) == 0 {
		problems = append(problems, "no input")
	}
	return problems
}

// parseInput reads an embeddings "input": a string or an array of strings.
func parseInput(raw json.RawMessage) ([]string, error) {
	var many []string
	if err := json.Unmarshal(raw, &many); err == nil {
		return many, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err != nil {
		return nil, errors.New("not a string or an array of strings")
	}
	return []string{one}, nil
}

// handleModels answers GET /v1/models with one model, as providers do for
// a warm-up ping. It counts the request (see Pings) but does not record it.
func (s *Server) handleModels(w http.ResponseWriter, r *http.Request) {
	var problems []string
	if r.Method != http.MethodGet {
		problems = append(problems, "method "+r.Method+", want GET")
	}
	if !s.authorized(r.Header.Get("Authorization")) {
		problems = append(problems, "wrong or unexpected Authorization header")
	}
	if !s.reject(w, r, problems) {
		return
	}
	s.mu.Lock()
	s.pings++
	s.mu.Unlock()
	model := s.model
	if model == "" {
		model = "fake-model"
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"object":"list","data":[{"id":%q,"object":"model","owned_by":"openaitest"}]}`, model)
}

// Pings returns how many GET /v1/models requests the fake answered.
func (s *Server) Pings() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pings
}
