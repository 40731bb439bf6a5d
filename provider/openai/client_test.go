package openai

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"imbot/core"
	"imbot/core/chain"
	"imbot/provider/openai/openaitest"
)

func TestClientStreamHappyPath(t *testing.T) {
	srv := newFake(t)
	srv.Enqueue(openaitest.Response{
		Reasoning: []string{"thinking…"},
		Chunks:    []string{"Hello", ", ", "world"},
		Usage:     &openaitest.Usage{PromptTokens: 12, CompletionTokens: 3},
	})
	cfg := testConfig("local", srv)
	cfg.MaxTokens, cfg.Temperature = 256, 0.7
	c := newTestClient(t, cfg)

	var deltas []string
	res, err := c.Stream(testContext(t), userRequest("hi there"), collect(&deltas))
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	want := core.ModelResult{Text: "Hello, world", Provider: "local", Model: "test-model",
		Usage: core.ModelUsage{PromptTokens: 12, CompletionTokens: 3}}
	if res != want {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	if !slices.Equal(deltas, []string{"Hello", ", ", "world"}) {
		t.Errorf("deltas = %q", deltas)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("requests = %d, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Authorization != "Bearer "+testKey || r.Model != "test-model" || r.MaxTokens != 256 ||
		r.Temperature < 0.69 || r.Temperature > 0.71 || !r.Stream || !r.IncludeUsage {
		t.Errorf("request = %+v", r)
	}
	if len(r.Messages) != 2 || r.Messages[1] != (openaitest.Message{Role: "user", Content: "hi there"}) {
		t.Errorf("messages = %+v", r.Messages)
	}
}

func TestClientRequestMaxTokensOverridesConfig(t *testing.T) {
	srv := newFake(t)
	cfg := testConfig("local", srv)
	cfg.MaxTokens = 256
	c := newTestClient(t, cfg)
	req := userRequest("hi")
	req.MaxTokens = 32
	if _, err := c.Stream(testContext(t), req, nil); err != nil {
		t.Fatalf("Stream: %v", err)
	}
	if got := srv.Requests()[0].MaxTokens; got != 32 {
		t.Errorf("max tokens sent = %d, want 32", got)
	}
}

func TestClientNoKey(t *testing.T) {
	srv := openaitest.New(t) // expects no Authorization header
	cfg := testConfig("ollama", srv)
	cfg.APIKeyEnv, cfg.APIKey = "", ""
	res, err := newTestClient(t, cfg).Stream(testContext(t), userRequest("hi"), nil)
	if err != nil || res.Text != "ok" {
		t.Fatalf("Stream = %+v, %v", res, err)
	}
}

func TestClientStreamErrors(t *testing.T) {
	tests := []struct {
		name        string
		resp        openaitest.Response
		status      int
		retryable   bool
		retryAfter  time.Duration
		is          error
		interrupted string // partial text, when the stream broke after text
	}{
		{name: "500", resp: openaitest.Fail(500), status: 500, retryable: true},
		{name: "502 html", resp: openaitest.Response{Status: 502, RawErrorBody: "<html>bad gateway</html>"},
			status: 502, retryable: true},
		{name: "429 retry-after", resp: openaitest.RateLimited(7), status: 429, retryable: true, retryAfter: 7 * time.Second},
		{name: "429 quota", resp: openaitest.Response{Status: 429, ErrorType: "insufficient_quota",
			ErrorCode: "insufficient_quota", RetryAfter: "5"}, status: 429},
		{name: "401", resp: openaitest.Fail(401), status: 401},
		{name: "404", resp: openaitest.Fail(404), status: 404},
		{name: "400", resp: openaitest.Fail(400), status: 400},
		{name: "stream error event", resp: openaitest.Response{StreamError: "overloaded"}, retryable: true},
		{name: "dropped before text", resp: openaitest.Drop(0, "a", "b"), retryable: true},
		{name: "dropped midway", resp: openaitest.Drop(2, "Hel", "lo ", "wor", "ld"), retryable: true,
			interrupted: "Hello "},
		{name: "no finish reason", resp: openaitest.Response{Chunks: []string{"cut"}, OmitFinish: true},
			retryable: true, is: ErrTruncated, interrupted: "cut"},
		{name: "empty answer", resp: openaitest.Response{Reasoning: []string{"hmm"}}, is: ErrEmptyAnswer},
		{name: "non-streaming server", resp: openaitest.Response{Chunks: []string{"x"}, NonStreaming: true},
			retryable: true, is: ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake(t)
			srv.Enqueue(tt.resp)
			var deltas []string
			res, err := newTestClient(t, testConfig("p", srv)).Stream(testContext(t), userRequest("hi"), collect(&deltas))
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if pe.Provider != "p" || pe.Status != tt.status || pe.Retryable != tt.retryable || pe.RetryAfter != tt.retryAfter {
				t.Errorf("error = %+v (%v), want status %d retryable %t retry-after %s",
					*pe, err, tt.status, tt.retryable, tt.retryAfter)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want it to wrap %v", err, tt.is)
			}
			if res.Interrupted != (tt.interrupted != "") || res.Text != tt.interrupted ||
				strings.Join(deltas, "") != tt.interrupted {
				t.Errorf("result = %+v, deltas %q; want interrupted text %q", res, deltas, tt.interrupted)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("error leaks the API key: %v", err)
			}
		})
	}
}

func TestClientKeepAlivesAndSlowChunks(t *testing.T) {
	srv := newFake(t)
	srv.Enqueue(openaitest.Response{Chunks: []string{"a", "b"}, KeepAlives: 50, ChunkDelay: time.Millisecond})
	res, err := newTestClient(t, testConfig("p", srv)).Stream(testContext(t), userRequest("hi"), nil)
	if err != nil || res.Text != "ab" {
		t.Fatalf("Stream = %+v, %v", res, err)
	}
}

func TestClientResponseTooLarge(t *testing.T) {
	srv := newFake(t)
	srv.Enqueue(openaitest.Answer(strings.Repeat("x", 4096)))
	c := newTestClient(t, testConfig("p", srv), WithMaxResponseBytes(1024))
	_, err := c.Stream(testContext(t), userRequest("hi"), nil)
	var pe *Error
	if !errors.Is(err, ErrResponseTooLarge) || !errors.As(err, &pe) || pe.Retryable {
		t.Fatalf("err = %v, want non-retryable ErrResponseTooLarge", err)
	}
}

func TestClientFirstTokenTimeout(t *testing.T) {
	clock := newFakeClock()
	srv := newFake(t)
	srv.Enqueue(openaitest.Hang())
	c := newTestClient(t, testConfig("p", srv), WithClock(clock))
	done := make(chan error, 1)
	go func() {
		_, err := c.Stream(testContext(t), userRequest("hi"), nil)
		done <- err
	}()
	if err := srv.WaitRequests(testContext(t), 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(15 * time.Second)
	err := <-done
	var pe *Error
	if !errors.Is(err, ErrFirstTokenTimeout) || !errors.As(err, &pe) || !pe.Retryable {
		t.Fatalf("err = %v, want retryable ErrFirstTokenTimeout", err)
	}
}

func TestClientTotalTimeoutAfterText(t *testing.T) {
	clock := newFakeClock()
	srv := newFake(t)
	srv.Enqueue(openaitest.Response{Chunks: []string{"part"}, Hang: true})
	c := newTestClient(t, testConfig("p", srv), WithClock(clock))
	first := make(chan struct{})
	type outcome struct {
		res core.ModelResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := c.Stream(testContext(t), userRequest("hi"), func(string) { close(first) })
		done <- outcome{res, err}
	}()
	<-first
	clock.Advance(2 * time.Minute)
	got := <-done
	var pe *Error
	if !errors.Is(got.err, ErrTimeout) || !errors.As(got.err, &pe) || !pe.Retryable {
		t.Errorf("err = %v, want retryable ErrTimeout", got.err)
	}
	if !got.res.Interrupted || got.res.Text != "part" {
		t.Errorf("result = %+v, want interrupted with %q", got.res, "part")
	}
}

func TestClientCallerCancel(t *testing.T) {
	srv := newFake(t)
	srv.Enqueue(openaitest.Hang())
	c := newTestClient(t, testConfig("p", srv))
	ctx, cancel := context.WithCancel(testContext(t))
	done := make(chan error, 1)
	go func() {
		_, err := c.Stream(ctx, userRequest("hi"), nil)
		done <- err
	}()
	if err := srv.WaitRequests(testContext(t), 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	err := <-done
	var pe *Error
	if !errors.Is(err, context.Canceled) || !errors.As(err, &pe) || pe.Retryable {
		t.Fatalf("err = %v, want non-retryable context.Canceled", err)
	}
}

func TestClientRejectsEmptyRequest(t *testing.T) {
	srv := newFake(t)
	_, err := newTestClient(t, testConfig("p", srv)).Stream(testContext(t), core.ModelRequest{}, nil)
	var pe *Error
	if !errors.As(err, &pe) || pe.Retryable || srv.Calls() != 0 {
		t.Fatalf("err = %v, calls %d; want a non-retryable error and no call", err, srv.Calls())
	}
}

func TestNewClientReasoningModel(t *testing.T) {
	srv := openaitest.New(t, openaitest.WithAPIKey(testKey))
	cfg := testConfig("openai", srv)
	cfg.Model, cfg.MaxTokens = "o3-mini", 100
	c := newTestClient(t, cfg)
	if _, err := c.Stream(testContext(t), userRequest("hi"), nil); err != nil {
		t.Fatalf("Stream: %v", err)
	}
	if got := srv.Requests()[0].MaxTokens; got != 100 {
		t.Errorf("max completion tokens = %d, want 100", got)
	}
	cfg.Temperature = 0.3
	if _, err := NewClient(cfg); err == nil {
		t.Error("NewClient accepted a temperature the model refuses")
	}
}

func TestClientAccessors(t *testing.T) {
	srv := newFake(t)
	cfg := testConfig("remote", srv)
	cfg.ThirdParty, cfg.MaxRetries = true, 3
	c := newTestClient(t, cfg)
	want := chain.Policy{Name: "remote", Model: "test-model", ThirdParty: true, MaxRetries: 3,
		FirstTokenTimeout: cfg.FirstTokenTimeout, Breaker: cfg.Breaker}
	if c.Name() != "remote" || c.Model() != "test-model" || !c.ThirdParty() || cfg.Policy() != want {
		t.Errorf("accessors: %s %s %t %+v", c.Name(), c.Model(), c.ThirdParty(), cfg.Policy())
	}
	if _, err := NewClient(Config{Name: "x"}); err == nil {
		t.Error("NewClient accepted an invalid config")
	}
}

func TestEmbed(t *testing.T) {
	srv := newFake(t, openaitest.WithEmbeddingDims(4))
	c := newTestClient(t, testConfig("p", srv))
	texts := make([]string, embedBatchSize+3)
	for i := range texts {
		texts[i] = "text " + strings.Repeat("x", i)
	}
	vecs, err := c.Embed(testContext(t), "embed-model", texts)
	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	if len(vecs) != len(texts) {
		t.Fatalf("got %d vectors for %d texts", len(vecs), len(texts))
	}
	again, err := c.Embed(testContext(t), "embed-model", []string{texts[len(texts)-1], texts[0]})
	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	if !slices.Equal(again[0], vecs[len(vecs)-1]) || !slices.Equal(again[1], vecs[0]) || len(vecs[0]) != 4 {
		t.Errorf("vectors are not per text and in order")
	}
	reqs := srv.Requests()
	if len(reqs) != 3 || len(reqs[0].Input) != embedBatchSize || len(reqs[1].Input) != 3 || reqs[0].Path != "/v1/embeddings" {
		t.Errorf("requests: %d, batches %d/%d", len(reqs), len(reqs[0].Input), len(reqs[1].Input))
	}
}

func TestEmbedErrors(t *testing.T) {
	srv := newFake(t)
	c := newTestClient(t, testConfig("p", srv))
	if _, err := c.Embed(testContext(t), "", []string{"a"}); err == nil {
		t.Error("Embed accepted an empty model")
	}
	srv.Enqueue(openaitest.RateLimited(2))
	_, err := c.Embed(testContext(t), "m", []string{"a"})
	var pe *Error
	if !errors.As(err, &pe) || pe.Status != http.StatusTooManyRequests || pe.RetryAfter != 2*time.Second {
		t.Errorf("err = %v, want 429 with Retry-After 2s", err)
	}
	if vecs, err := c.Embed(testContext(t), "m", nil); err != nil || len(vecs) != 0 {
		t.Errorf("Embed(nil) = %v, %v", vecs, err)
	}
}
