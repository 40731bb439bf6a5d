package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"

	goopenai "github.com/sashabaranov/go-openai"

	"imbot/core"
)

// goOpenAIBody is the body go-openai writes for a streamed request of msgs
// at most maxTokens long, when given the messages itself.
func goOpenAIBody(t *testing.T, c *Client, msgs []core.ModelMessage, maxTokens int) []byte {
	t.Helper()
	req := c.chatRequest(maxTokens)
	for _, m := range msgs {
		req.Messages = append(req.Messages, goopenai.ChatCompletionMessage{Role: m.Role, Content: m.Content})
	}
	body, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// splicedBody is the body the doer sends for the same request.
func splicedBody(t *testing.T, c *Client, msgs []core.ModelMessage, maxTokens int) []byte {
	t.Helper()
	template, err := json.Marshal(c.chatRequest(maxTokens))
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(withMessages(context.Background(), msgs), http.MethodPost,
		"http://127.0.0.1/v1/chat/completions", bytes.NewReader(template))
	if err != nil {
		t.Fatal(err)
	}
	if err := spliceMessages(req); err != nil {
		t.Fatalf("spliceMessages: %v", err)
	}
	body, _ := io.ReadAll(req.Body)
	again, _ := req.GetBody()
	replay, _ := io.ReadAll(again)
	if req.ContentLength != int64(len(body)) || !bytes.Equal(replay, body) {
		t.Errorf("content length %d and GetBody %q for a body of %d bytes", req.ContentLength, replay, len(body))
	}
	return body
}

func TestSplicedBodyIsGoOpenAIs(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Name, cfg.BaseURL, cfg.Model, cfg.APIKey = "p", "http://127.0.0.1/v1", `model "x" <&>`, testKey
	cfg.MaxTokens, cfg.Temperature = 512, 0.7
	c := newTestClient(t, cfg)
	for _, tt := range []struct {
		name      string
		msgs      []core.ModelMessage
		maxTokens int
	}{
		{"one message", []core.ModelMessage{{Role: "user", Content: "hi"}}, 0},
		{"history", []core.ModelMessage{{Role: "system", Content: "be brief"}, {Role: "user", Content: "a"},
			{Role: "assistant", Content: "b"}, {Role: "user", Content: "c"}}, 0},
		{"escapes", []core.ModelMessage{{Role: "user", Content: "\"quoted\" \\ <b>&</b>\n\t\x01 中文 😀 \xff \u2028"}}, 0},
		{"empty content", []core.ModelMessage{{Role: "assistant"}, {Role: "user", Content: "x"}}, 0},
		{"max tokens of the request", []core.ModelMessage{{Role: "user", Content: "x"}}, 7},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := goOpenAIBody(t, c, tt.msgs, tt.maxTokens)
			if got := splicedBody(t, c, tt.msgs, tt.maxTokens); !bytes.Equal(got, want) {
				t.Errorf("body = %s\nwant   %s", got, want)
			}
		})
	}
}

func TestSpliceLeavesOtherRequestsAlone(t *testing.T) {
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1/v1/models", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := spliceMessages(req); err != nil || req.Body != nil {
		t.Errorf("spliceMessages of a request without messages = %v, body %v", err, req.Body)
	}
	req, err = http.NewRequestWithContext(withMessages(context.Background(), nil), http.MethodPost,
		"http://127.0.0.1/v1/chat/completions", bytes.NewReader([]byte(`{"model":"m"}`)))
	if err != nil {
		t.Fatal(err)
	}
	if err := spliceMessages(req); !errors.Is(err, errNoMessagesField) {
		t.Errorf("spliceMessages of a body without messages = %v, want errNoMessagesField", err)
	}
}
