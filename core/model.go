package core

import (
	"context"
	"time"
)

// ModelMessage is one chat message sent to a model.
type ModelMessage struct {
	Role    string // "system", "user" or "assistant"
	Content string
}

// ModelRequest is one chat completion request.
type ModelRequest struct {
	Messages []ModelMessage
	// MaxTokens caps the completion; 0 leaves it to the provider.
	MaxTokens int
	// Conversation identifies the conversation the request answers (any
	// stable key), so that circuit breakers can tell one conversation's
	// failures from many; empty when unknown. It is never sent.
	Conversation string
}

// ModelUsage is the token usage a provider reported for one call.
type ModelUsage struct {
	PromptTokens     int
	CompletionTokens int
}

// ModelResult is a completed (or, with Interrupted, partially completed)
// answer.
type ModelResult struct {
	Text     string
	Provider string // name of the provider that answered
	Model    string
	// Usage is zero when the provider reported none.
	Usage ModelUsage
	// Interrupted is set when the stream failed after text was already
	// streamed; Text then holds what was received.
	Interrupted bool
}

// DeltaFunc receives each new chunk of answer text as it arrives. It is
// called from the goroutine that called Stream.
type DeltaFunc func(chunk string)

// Streamer is anything that answers a ModelRequest by streaming: one
// provider's client or a chain of them. Implementations are safe for
// concurrent use.
type Streamer interface {
	// Stream sends req and passes each new piece of answer text to onDelta
	// (which may be nil) on the calling goroutine, in order. It returns the
	// whole answer, or an error; a ModelResult with Interrupted set holds
	// the text streamed before the failure.
	Stream(ctx context.Context, req ModelRequest, onDelta DeltaFunc) (ModelResult, error)
}

// Failure is how a provider call failed, as far as retries and circuit
// breakers care.
type Failure struct {
	// Status is the HTTP status the provider answered with; 0 when there
	// was none (connection error, timeout, an error inside the stream).
	Status int
	// Retryable says that trying the same provider again may succeed.
	Retryable bool
	// RetryAfter is the wait the provider asked for; 0 when it did not say.
	RetryAfter time.Duration
	// Timeout says the provider took too long: no first token in time, or
	// the call ran past its total timeout.
	Timeout bool
}

// ProviderError is implemented by the errors a provider's Streamer returns,
// so that chains can classify a failure without knowing the provider's SDK.
// Find it with errors.As.
type ProviderError interface {
	error
	// Failure classifies the failed call.
	Failure() Failure
}
