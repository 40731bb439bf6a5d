package openaitest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"imbot/core"
	"imbot/provider/openai"
	"imbot/provider/openai/openaitest"
)

func client(t *testing.T, srv *openaitest.Server) *openai.Client {
	t.Helper()
	cfg := openai.DefaultConfig()
	cfg.Name, cfg.BaseURL, cfg.Model, cfg.MaxRetries = "fake", srv.URL(), "m", 0
	c, err := openai.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ask(t *testing.T, c *openai.Client, text string) (core.ModelResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.Stream(ctx, core.ModelRequest{Messages: []core.ModelMessage{{Role: "user", Content: text}}}, nil)
}

func TestScriptedAnswers(t *testing.T) {
	tests := []struct {
		name  string
		opts  []openaitest.Option
		queue []openaitest.Response
		want  []string // text per call; "error" for a failed call
	}{
		{"default", nil, nil, []string{"ok", "ok"}},
		{"queue then default", nil, []openaitest.Response{openaitest.Answer("a", "b"), openaitest.Fail(500)},
			[]string{"ab", "error", "ok"}},
		{"echo", []openaitest.Option{openaitest.WithDefault(openaitest.Echo())}, nil, []string{"ping 0", "ping 1"}},
		{"fails then recovers", []openaitest.Option{openaitest.FailFirst(2, openaitest.Fail(503))},
			[]openaitest.Response{openaitest.Answer("queued")}, []string{"error", "error", "queued"}},
		{"script", []openaitest.Option{openaitest.WithScript(func(r openaitest.Request) openaitest.Response {
			return openaitest.Answer(strings.ToUpper(r.Messages[0].Content))
		})}, nil, []string{"PING 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.New(t, tt.opts...)
			srv.Enqueue(tt.queue...)
			c := client(t, srv)
			for i, want := range tt.want {
				res, err := ask(t, c, fmt.Sprintf("ping %d", i))
				got := res.Text
				if err != nil {
					got = "error"
				}
				if got != want {
					t.Errorf("call %d = %q (%v), want %q", i, got, err, want)
				}
			}
			if srv.Calls() != len(tt.want) || len(srv.Requests()) != len(tt.want) {
				t.Errorf("recorded %d calls, want %d", srv.Calls(), len(tt.want))
			}
		})
	}
}

func TestHangIsReleasedAtCleanup(t *testing.T) {
	var srv *openaitest.Server
	t.Run("inner", func(t *testing.T) {
		srv = openaitest.New(t, openaitest.WithDefault(openaitest.Hang()))
		req, err := http.NewRequest(http.MethodPost, srv.URL()+"/chat/completions",
			strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true}}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		// The test ends with the handler still hanging; cleanup must not block.
	})
	if srv.Calls() != 1 {
		t.Errorf("calls = %d, want 1", srv.Calls())
	}
}

// recordingTB captures the fake's complaints instead of failing the test.
type recordingTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestChecksRequests(t *testing.T) {
	tests := []struct {
		name, method, path, auth, body, complaint string
	}{
		{"wrong key", "POST", "/v1/chat/completions", "Bearer nope",
			`{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true}}`, "Authorization"},
		{"not streaming", "POST", "/v1/chat/completions", "Bearer k",
			`{"model":"m","messages":[{"role":"user","content":"x"}]}`, `"stream" is not true`},
		{"no usage", "POST", "/v1/chat/completions", "Bearer k",
			`{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true}`, "include_usage"},
		{"wrong model", "POST", "/v1/chat/completions", "Bearer k",
			`{"model":"other","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true}}`, "model other"},
		{"bad role", "POST", "/v1/chat/completions", "Bearer k",
			`{"model":"m","messages":[{"role":"tool","content":"x"}],"stream":true,"stream_options":{"include_usage":true}}`, "role tool"},
		{"bad json", "POST", "/v1/chat/completions", "Bearer k", `{`, "body:"},
		{"GET", "GET", "/v1/chat/completions", "Bearer k", ``, "method GET"},
		{"unknown path", "POST", "/v1/completions", "Bearer k", `{}`, "unexpected request"},
		{"embeddings without input", "POST", "/v1/embeddings", "Bearer k", `{"model":"e"}`, "no input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recordingTB{TB: t}
			srv := openaitest.New(rec, openaitest.WithAPIKey("k"), openaitest.WithModel("m"))
			req, err := http.NewRequest(tt.method, strings.TrimSuffix(srv.URL(), "/v1")+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", tt.auth)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode < 400 {
				t.Errorf("status = %d, want an error status", resp.StatusCode)
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], tt.complaint) {
				t.Errorf("complaints = %q, want one mentioning %q", rec.errs, tt.complaint)
			}
		})
	}
}

func TestEmbeddings(t *testing.T) {
	srv := openaitest.New(t, openaitest.WithEmbedFunc(func(text string) []float32 {
		return []float32{float32(len(text)), 1}
	}))
	vecs, err := client(t, srv).Embed(context.Background(), "e", []string{"a", "abc"})
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != 2 || vecs[0][0] != 1 || vecs[1][0] != 3 {
		t.Errorf("vectors = %v", vecs)
	}
	if got := srv.Requests()[0].Input; len(got) != 2 || got[1] != "abc" {
		t.Errorf("recorded input = %q", got)
	}
}

func TestDefaultEmbeddingsAreUnitVectors(t *testing.T) {
	srv := openaitest.New(t, openaitest.WithEmbeddingDims(16))
	vecs, err := client(t, srv).Embed(context.Background(), "e", []string{"hello", "hello", "bye"})
	if err != nil {
		t.Fatal(err)
	}
	var norm float32
	for _, x := range vecs[0] {
		norm += x * x
	}
	if len(vecs[0]) != 16 || norm < 0.99 || norm > 1.01 {
		t.Errorf("vector of %d dims, squared norm %f; want 16 and 1", len(vecs[0]), norm)
	}
	if fmt.Sprint(vecs[0]) != fmt.Sprint(vecs[1]) || fmt.Sprint(vecs[0]) == fmt.Sprint(vecs[2]) {
		t.Error("equal texts must share a vector and different texts must not")
	}
}

func TestWaitRequests(t *testing.T) {
	srv := openaitest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := srv.WaitRequests(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitRequests with no request = %v, want deadline exceeded", err)
	}
	if _, err := ask(t, client(t, srv), "x"); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitRequests(context.Background(), 1); err != nil {
		t.Errorf("WaitRequests after a request = %v", err)
	}
}
