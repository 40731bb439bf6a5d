// Package provider talks to OpenAI-compatible chat models: one Client per
// configured provider, streamed answers with first-token and total timeouts,
// and a Chain that tries providers in order with retries, backoff and a
// circuit breaker per provider.
package provider

import "context"

// Message is one chat message sent to a model.
type Message struct {
	Role    string // "system", "user" or "assistant"
	Content string
}

// Request is one chat completion request.
type Request struct {
	Messages []Message
	// MaxTokens caps the completion; 0 leaves it to the provider.
	MaxTokens int
}

// Usage is the token usage a provider reported for one call.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
}

// Result is a completed (or, with Interrupted, partially completed) answer.
type Result struct {
	Text     string
	Provider string // name of the provider that answered
	Model    string
	// Usage is zero when the provider reported none.
	Usage Usage
	// Interrupted is set when the stream failed after text was already
	// streamed; Text then holds what was received.
	Interrupted bool
}

// DeltaFunc receives each new chunk of answer text as it arrives. It is
// called from the goroutine that called Stream.
type DeltaFunc func(chunk string)

// Streamer is anything that answers a Request by streaming: a single Client
// or a Chain of them. Implementations are safe for concurrent use.
type Streamer interface {
	// Stream sends req and passes each new piece of answer text to onDelta
	// (which may be nil) on the calling goroutine, in order. It returns the
	// whole answer, or an error; a Result with Interrupted set holds the
	// text streamed before the failure. See Client.Stream and Chain.Stream.
	Stream(ctx context.Context, req Request, onDelta DeltaFunc) (Result, error)
}
