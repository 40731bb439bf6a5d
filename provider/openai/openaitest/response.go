package openaitest

import (
	"net/http"
	"strconv"
	"time"
)

// Response scripts the fake's answer to one request. The zero value answers
// a chat request with an empty stream and an embeddings request with
// vectors; use the constructors below for the common cases.
type Response struct {
	// Status, when not 0 or 200, makes the fake answer with that status and
	// an OpenAI-style error body instead of a stream.
	Status int
	// RetryAfter is sent as the Retry-After header when not empty.
	RetryAfter string
	// ErrorType and ErrorCode fill the error body's "type" and "code"
	// (e.g. "insufficient_quota"); ErrorMessage its "message".
	ErrorType, ErrorCode, ErrorMessage string
	// RawErrorBody, when set, is sent instead of a JSON error body (a proxy's
	// HTML page, say).
	RawErrorBody string

	// Reasoning chunks are streamed as reasoning_content before the answer.
	Reasoning []string
	// Chunks are the answer, one SSE event each.
	Chunks []string
	// Echo answers with the content of the last user message, in one chunk,
	// after any Chunks.
	Echo bool
	// FinishReason is sent in the last choice chunk; "" means "stop".
	FinishReason string
	// OmitFinish leaves out the chunk that carries the finish reason.
	OmitFinish bool
	// Usage is reported in the final chunk (with "choices":[]); nil reports
	// prompt tokens as the words of the request and completion tokens as
	// the answer chunks.
	Usage *Usage
	// NoUsage leaves the usage chunk out.
	NoUsage bool
	// StreamError, when set, is sent as an in-stream error event
	// (data: {"error":{...}}) after the chunks, instead of the end.
	StreamError string

	// Hang makes the fake send the stream's headers and the scripted
	// chunks, and then nothing until the request's context ends (or the
	// server closes): with no chunks, a hang before the first token.
	Hang bool
	// Drop aborts the connection after DropAfter answer chunks (0: before
	// any), without the end of the stream.
	Drop      bool
	DropAfter int
	// ChunkDelay is waited before each chunk.
	ChunkDelay time.Duration
	// KeepAlives is how many ": keep-alive" comment lines precede each chunk.
	KeepAlives int
	// NonStreaming answers with one chat.completion JSON object, as a
	// server that ignores "stream": true would.
	NonStreaming bool
}

// Usage is token usage as the fake reports it.
type Usage struct {
	PromptTokens, CompletionTokens int
}

// Answer streams chunks and ends normally.
func Answer(chunks ...string) Response { return Response{Chunks: chunks} }

// Echo streams back the last user message.
func Echo() Response { return Response{Echo: true} }

// Fail answers with status and a JSON error body. 429 and 5xx get the type
// OpenAI uses for them.
func Fail(status int) Response {
	r := Response{Status: status, ErrorMessage: http.StatusText(status), ErrorType: "invalid_request_error"}
	switch {
	case status == http.StatusTooManyRequests:
		r.ErrorType = "rate_limit_exceeded"
	case status >= 500:
		r.ErrorType = "server_error"
	}
	return r
}

// RateLimited answers 429 with Retry-After: seconds.
func RateLimited(seconds int) Response {
	r := Fail(http.StatusTooManyRequests)
	r.RetryAfter = strconv.Itoa(seconds)
	return r
}

// Hang sends the stream's headers and then nothing until the request ends.
func Hang() Response { return Response{Hang: true} }

// Drop streams chunks and aborts the connection after the first n of them.
func Drop(n int, chunks ...string) Response {
	return Response{Chunks: chunks, Drop: true, DropAfter: n}
}

// failing reports whether r is an error response.
func (r Response) failing() bool { return r.Status != 0 && r.Status != http.StatusOK }
