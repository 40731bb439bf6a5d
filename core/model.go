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
	// Masked is the request's form for third-party providers; nil sends
	// Messages to every provider. Use StreamAs to pick the form.
	Masked *MaskedRequest
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

// TextStream transforms an answer that arrives in pieces: Write returns the
// text that is final now, Flush what was held back, at the end. One
// TextStream serves one answer and is not safe for concurrent use.
type TextStream interface {
	Write(chunk string) string
	Flush() string
}

// MaskedRequest is the form of a request that providers marked third-party
// receive: the same messages with personal data replaced by placeholders.
type MaskedRequest struct {
	Messages []ModelMessage
	// Restore, when set, returns a fresh TextStream that puts the values
	// back into one answer; nil leaves the placeholders in the answer.
	Restore func() TextStream
}

// StreamAs runs req on s as a provider whose third-party flag is thirdParty
// must see it. A local provider, or any provider of a request without a
// masked form, gets req.Messages. A third-party provider gets the masked
// messages; its answer is restored on the way to onDelta (a placeholder cut
// across two chunks included) and in the returned Text.
func StreamAs(ctx context.Context, s Streamer, thirdParty bool, req ModelRequest, onDelta DeltaFunc) (ModelResult, error) {
	masked := req.Masked
	req.Masked = nil
	if !thirdParty || masked == nil {
		return s.Stream(ctx, req, onDelta)
	}
	req.Messages = masked.Messages
	if masked.Restore == nil {
		return s.Stream(ctx, req, onDelta)
	}
	live := masked.Restore()
	emit := func(text string) {
		if text != "" && onDelta != nil {
			onDelta(text)
		}
	}
	res, err := s.Stream(ctx, req, func(chunk string) { emit(live.Write(chunk)) })
	emit(live.Flush())
	whole := masked.Restore()
	res.Text = whole.Write(res.Text) + whole.Flush()
	return res, err
}
