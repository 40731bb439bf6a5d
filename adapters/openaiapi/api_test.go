package openaiapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"imbot/core"
)

const testKey = "sk-test-0123456789"

// fakeRouter answers like the router: it streams its answer in two
// updates, or answers degraded, and records the envelopes it got.
type fakeRouter struct {
	mu   sync.Mutex
	envs []core.Envelope
}

func (f *fakeRouter) Answer(ctx context.Context, env core.Envelope, w core.ReplyWriter) core.Answer {
	f.mu.Lock()
	f.envs = append(f.envs, env)
	f.mu.Unlock()
	if env.Text == "fail" {
		return core.Answer{Reply: core.Reply{Text: "Sorry, I can't answer right now.", Route: core.RouteDegraded}}
	}
	answer := "echo: " + env.Text
	_ = w.Update(ctx, answer[:4])
	_ = w.Update(ctx, answer)
	return core.Answer{Reply: core.Reply{Text: answer, Route: core.RouteModel}, ReplyTokens: 3}
}

func (f *fakeRouter) last() core.Envelope {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.envs[len(f.envs)-1]
}

// fakeProvider streams fixed chunks, or fails with a provider error.
type fakeProvider struct{ fail bool }

func (p fakeProvider) Stream(_ context.Context, req core.ModelRequest, onDelta core.DeltaFunc) (core.ModelResult, error) {
	if p.fail {
		return core.ModelResult{}, providerErr{}
	}
	onDelta("direct ")
	onDelta("answer")
	return core.ModelResult{Text: "direct answer", Provider: "local", Model: "qwen",
		Usage: core.ModelUsage{PromptTokens: 11, CompletionTokens: 2}}, nil
}

type providerErr struct{}

func (providerErr) Error() string         { return "provider: 500" }
func (providerErr) Failure() core.Failure { return core.Failure{Status: 500} }

type unansweredLog struct {
	mu sync.Mutex
	qs []core.UnansweredQuestion
}

func (u *unansweredLog) AddUnanswered(_ context.Context, q core.UnansweredQuestion) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.qs = append(u.qs, q)
	return nil
}

type testAPI struct {
	srv        *httptest.Server
	router     *fakeRouter
	unanswered *unansweredLog
}

func newTestAPI(t *testing.T, cfg Config) *testAPI {
	t.Helper()
	e := &testAPI{router: &fakeRouter{}, unanswered: &unansweredLog{}}
	s, err := New(cfg, Deps{
		Router: e.router,
		Auth: func(key string) (string, bool) {
			return "key-1", key == testKey
		},
		Models: []Model{
			{Name: "local", ID: "qwen2.5:3b", Streamer: fakeProvider{}},
			{Name: "broken", ID: "gpt-x", Streamer: fakeProvider{fail: true}},
		},
		Unanswered: e.unanswered,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Mount(mux)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

func (e *testAPI) client(key string) openai.Client {
	return openai.NewClient(option.WithBaseURL(e.srv.URL+"/v1/"), option.WithAPIKey(key), option.WithMaxRetries(0),
		option.WithRequestTimeout(10*time.Second))
}

func TestOfficialClientWhole(t *testing.T) {
	e := newTestAPI(t, DefaultConfig())
	c := e.client(testKey)
	resp, err := c.Chat.Completions.New(t.Context(), openai.ChatCompletionNewParams{
		Model: AutoModel,
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage("be brief"), openai.UserMessage("weather in Oslo?"),
			openai.AssistantMessage("mild"), openai.UserMessage("and in winter?"),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Choices) != 1 || resp.Choices[0].Message.Content != "echo: and in winter?" || resp.Choices[0].FinishReason != "stop" {
		t.Fatalf("response %+v", resp.Choices)
	}
	if resp.Object != "chat.completion" || resp.Model != AutoModel || resp.Usage.CompletionTokens != 3 ||
		resp.Usage.TotalTokens != resp.Usage.PromptTokens+3 || resp.Usage.PromptTokens == 0 {
		t.Fatalf("response %s %s usage %+v", resp.Object, resp.Model, resp.Usage)
	}
	env := e.router.last()
	if env.Platform != Platform || env.UserID != "key-1" || len(env.Transcript.Messages) != 3 || env.Transcript.Messages[2].Text != "mild" {
		t.Fatalf("envelope %+v", env)
	}
}

func TestOfficialClientStreams(t *testing.T) {
	e := newTestAPI(t, DefaultConfig())
	c := e.client(testKey)
	for _, model := range []string{AutoModel, "local", "qwen2.5:3b"} {
		t.Run(model, func(t *testing.T) {
			stream := c.Chat.Completions.NewStreaming(t.Context(), openai.ChatCompletionNewParams{
				Model:         model,
				Messages:      []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hello")},
				StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)},
			})
			var acc openai.ChatCompletionAccumulator
			deltas := 0
			for stream.Next() {
				ch := stream.Current()
				acc.AddChunk(ch)
				if len(ch.Choices) > 0 && ch.Choices[0].Delta.Content != "" {
					deltas++
				}
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{AutoModel: "echo: hello"}[model]
			if want == "" {
				want = "direct answer"
			}
			if got := acc.Choices[0].Message.Content; got != want || deltas < 2 {
				t.Fatalf("streamed %q in %d deltas, want %q in several", got, deltas, want)
			}
			if acc.Choices[0].FinishReason != "stop" || acc.Usage.CompletionTokens == 0 || acc.Usage.TotalTokens == 0 {
				t.Fatalf("finish %q, usage %+v", acc.Choices[0].FinishReason, acc.Usage)
			}
		})
	}
}

func TestOfficialClientErrors(t *testing.T) {
	cfg := DefaultConfig()
	cfg.RatePerMinute, cfg.RateBurst = 1, 1
	e := newTestAPI(t, cfg)
	msgs := []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}
	bad := e.client("sk-wrong")
	_, err := bad.Chat.Completions.New(t.Context(), openai.ChatCompletionNewParams{Model: AutoModel, Messages: msgs})
	apiErr := asAPIError(t, err, http.StatusUnauthorized)
	if apiErr.Code != "invalid_api_key" || apiErr.Type != "invalid_request_error" || apiErr.Message == "" {
		t.Fatalf("bad key: %+v", apiErr)
	}
	c := e.client(testKey)
	if _, err := c.Chat.Completions.New(t.Context(), openai.ChatCompletionNewParams{Model: AutoModel, Messages: msgs}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Chat.Completions.New(t.Context(), openai.ChatCompletionNewParams{Model: AutoModel, Messages: msgs})
	apiErr = asAPIError(t, err, http.StatusTooManyRequests)
	if apiErr.Code != "rate_limit_exceeded" || apiErr.Response.Header.Get("Retry-After") != "60" {
		t.Fatalf("rate limited: %+v, Retry-After %q", apiErr, apiErr.Response.Header.Get("Retry-After"))
	}
}

func TestUnknownModelAndFailingProvider(t *testing.T) {
	e := newTestAPI(t, DefaultConfig())
	c := e.client(testKey)
	msgs := []openai.ChatCompletionMessageParamUnion{openai.UserMessage("why is the sky blue?")}
	_, err := c.Chat.Completions.New(t.Context(), openai.ChatCompletionNewParams{Model: "nope", Messages: msgs})
	if apiErr := asAPIError(t, err, http.StatusNotFound); apiErr.Code != "model_not_found" || apiErr.Param != "model" {
		t.Fatalf("unknown model: %+v", apiErr)
	}
	_, err = c.Chat.Completions.New(t.Context(), openai.ChatCompletionNewParams{Model: "broken", Messages: msgs})
	if apiErr := asAPIError(t, err, http.StatusBadGateway); apiErr.Type != "server_error" {
		t.Fatalf("failing provider: %+v", apiErr)
	}
	e.unanswered.mu.Lock()
	defer e.unanswered.mu.Unlock()
	if len(e.unanswered.qs) != 1 || e.unanswered.qs[0].Question != "why is the sky blue?" || e.unanswered.qs[0].Reason != core.ReasonDegraded {
		t.Fatalf("unanswered queue %+v", e.unanswered.qs)
	}
}

func TestModelsList(t *testing.T) {
	e := newTestAPI(t, DefaultConfig())
	c := e.client(testKey)
	page, err := c.Models.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range page.Data {
		ids = append(ids, m.ID)
	}
	if strings.Join(ids, ",") != "imbot-auto,local,broken" {
		t.Fatalf("models %v", ids)
	}
	bad := e.client("sk-wrong")
	if _, err := bad.Models.List(t.Context()); err == nil {
		t.Fatal("listed models with a bad key")
	}
}

func asAPIError(t *testing.T, err error, status int) *openai.Error {
	t.Helper()
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
		t.Fatalf("error %v, want an API error with status %d", err, status)
	}
	return apiErr
}
