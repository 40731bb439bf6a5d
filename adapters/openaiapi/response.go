package openaiapi

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
)

// usage is OpenAI's token usage object.
type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func newUsage(prompt, completion int) *usage {
	return &usage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion}
}

// message is an assistant message or delta.
type message struct {
	Role    string `json:"role,omitempty"`
	Content string `json:"content"`
}

// completion is a whole answer: object "chat.completion".
type completion struct {
	ID      string   `json:"id"`
	Object  string   `json:"object"`
	Created int64    `json:"created"`
	Model   string   `json:"model"`
	Choices []choice `json:"choices"`
	Usage   *usage   `json:"usage"`
}

type choice struct {
	Index        int       `json:"index"`
	Message      message   `json:"message"`
	FinishReason string    `json:"finish_reason"`
	Logprobs     *struct{} `json:"logprobs"`
}

// chunk is one event of a stream: object "chat.completion.chunk". The
// usage chunk of stream_options.include_usage has no choices.
type chunk struct {
	ID      string        `json:"id"`
	Object  string        `json:"object"`
	Created int64         `json:"created"`
	Model   string        `json:"model"`
	Choices []chunkChoice `json:"choices"`
	Usage   *usage        `json:"usage,omitempty"`
}

type chunkChoice struct {
	Index        int       `json:"index"`
	Delta        message   `json:"delta"`
	FinishReason *string   `json:"finish_reason"`
	Logprobs     *struct{} `json:"logprobs"`
}

// reply identifies one response: its id, creation time and model.
type reply struct {
	id      string
	created int64
	model   string
}

func (r reply) completion(text string, u *usage) completion {
	return completion{ID: r.id, Object: "chat.completion", Created: r.created, Model: r.model, Usage: u,
		Choices: []choice{{Message: message{Role: "assistant", Content: text}, FinishReason: "stop"}}}
}

func (r reply) chunk(choices []chunkChoice, u *usage) chunk {
	if choices == nil {
		choices = []chunkChoice{}
	}
	return chunk{ID: r.id, Object: "chat.completion.chunk", Created: r.created, Model: r.model, Choices: choices, Usage: u}
}

// modelList is the answer of GET /v1/models.
type modelList struct {
	Object string       `json:"object"`
	Data   []modelEntry `json:"data"`
}

type modelEntry struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

// newID returns a random completion id, "chatcmpl-" and 24 hex digits.
func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails
	return "chatcmpl-" + hex.EncodeToString(b)
}

// bearerKey returns the key of an "Authorization: Bearer <key>" header.
func bearerKey(r *http.Request) (string, bool) {
	const prefix = "bearer "
	h := r.Header.Get("Authorization")
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", false
	}
	key := strings.TrimSpace(h[len(prefix):])
	return key, key != ""
}

// langHint is the client's first preferred language from Accept-Language.
func langHint(r *http.Request) string {
	first, _, _ := strings.Cut(r.Header.Get("Accept-Language"), ",")
	first, _, _ = strings.Cut(first, ";")
	return strings.TrimSpace(first)
}
