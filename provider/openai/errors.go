package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	goopenai "github.com/sashabaranov/go-openai"

	"imbot/core"
)

// Sentinel errors. Errors returned by this package wrap them, so callers test
// with errors.Is.
var (
	// ErrFirstTokenTimeout means the stream showed no sign of life within
	// first_token_timeout.
	ErrFirstTokenTimeout = errors.New("no first token in time")
	// ErrTimeout means the call ran past its total timeout.
	ErrTimeout = errors.New("call timed out")
	// ErrTruncated means the stream ended without the provider saying the
	// answer was finished (a dropped connection or a cut-off stream).
	ErrTruncated = errors.New("stream ended before the answer was finished")
	// ErrEmptyAnswer means the provider finished without any answer text.
	ErrEmptyAnswer = errors.New("empty answer")
	// ErrResponseTooLarge means the provider sent more than the response
	// size limit.
	ErrResponseTooLarge = errors.New("response too large")
)

// maxErrorText bounds how much of a provider's error text goes into an
// error message (and so into logs).
const maxErrorText = 300

// Error is a classified failure of one provider call. Find it with
// errors.As, or as a core.ProviderError.
type Error struct {
	// Provider is the configured provider name.
	Provider string
	// Status is the HTTP status the provider answered with; 0 when there
	// was none (connection error, timeout, an error inside the stream).
	Status int
	// Retryable says that trying the same provider again may succeed (429,
	// 5xx, connection errors, timeouts). A non-retryable error still lets a
	// chain move to its next provider, unless the caller's ctx ended.
	Retryable bool
	// RetryAfter is the wait the provider asked for (Retry-After); 0 when
	// it did not say.
	RetryAfter time.Duration
	// Err is the underlying cause.
	Err error

	msg string // cause text, shortened and free of the API key
}

// Error returns a short description that never contains the API key.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("provider ")
	b.WriteString(e.Provider)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": status %d", e.Status)
	}
	if e.msg != "" {
		b.WriteString(": ")
		b.WriteString(e.msg)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

var _ core.ProviderError = (*Error)(nil)

// Failure implements core.ProviderError.
func (e *Error) Failure() core.Failure {
	return core.Failure{Status: e.Status, Retryable: e.Retryable, RetryAfter: e.RetryAfter,
		Timeout: errors.Is(e.Err, ErrFirstTokenTimeout) || errors.Is(e.Err, ErrTimeout)}
}

// classifier turns raw errors from one client into *Error values.
type classifier struct {
	provider string
	apiKey   string
}

// classify wraps err, the failure of a call made under callCtx (derived from
// the caller's ctx), into an *Error. retryAfter is what the provider asked
// for, if anything.
func (c classifier) classify(callerCtx, callCtx context.Context, err error, retryAfter time.Duration) *Error {
	e := &Error{Provider: c.provider, Err: err}
	switch cause := context.Cause(callCtx); {
	case callerCtx.Err() != nil:
		if callerCause := context.Cause(callerCtx); !errors.Is(err, callerCause) {
			e.Err = fmt.Errorf("%w: %w", callerCause, err)
		}
	case errors.Is(cause, ErrFirstTokenTimeout) || errors.Is(cause, ErrTimeout):
		e.Err, e.Retryable = cause, true
	default:
		e.Status, e.Retryable = classifyCause(err)
	}
	if e.Retryable {
		e.RetryAfter = retryAfter
	}
	e.msg = c.describe(e.Err)
	return e
}

// final wraps err, a failure that retrying cannot fix (a bad request or a
// malformed answer), into a non-retryable *Error.
func (c classifier) final(err error) *Error {
	return &Error{Provider: c.provider, Err: err, msg: c.describe(err)}
}

// describe returns err's text shortened to maxErrorText bytes with the API
// key removed.
func (c classifier) describe(err error) string {
	s := err.Error()
	if c.apiKey != "" {
		s = strings.ReplaceAll(s, c.apiKey, "[redacted]")
	}
	if len(s) > maxErrorText {
		cut := maxErrorText
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// classifyCause returns the HTTP status behind err (0 if none) and whether
// retrying the same provider may help.
func classifyCause(err error) (status int, retryable bool) {
	var apiErr *goopenai.APIError
	var reqErr *goopenai.RequestError
	switch {
	case errors.As(err, &apiErr):
		if isQuotaError(apiErr) {
			return apiErr.HTTPStatusCode, false
		}
		if apiErr.HTTPStatusCode == 0 { // an error event inside the stream
			return 0, apiErr.Type != "invalid_request_error"
		}
		return apiErr.HTTPStatusCode, retryableStatus(apiErr.HTTPStatusCode)
	case errors.As(err, &reqErr):
		return reqErr.HTTPStatusCode, retryableStatus(reqErr.HTTPStatusCode)
	}
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.Is(err, ErrResponseTooLarge), errors.Is(err, ErrEmptyAnswer),
		errors.As(err, &syntaxErr), errors.As(err, &typeErr):
		return 0, false
	case errors.Is(err, goopenai.ErrChatCompletionInvalidModel),
		errors.Is(err, goopenai.ErrReasoningModelMaxTokensDeprecated),
		errors.Is(err, goopenai.ErrReasoningModelLimitationsOther):
		return 0, false
	}
	// Connection refused or reset, unexpected EOF, too many keep-alive
	// lines, a truncated stream: the provider or the path to it failed.
	return 0, true
}

func retryableStatus(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500
}

// isQuotaError reports an exhausted account, which waiting will not fix.
func isQuotaError(e *goopenai.APIError) bool {
	code, _ := e.Code.(string)
	return code == "insufficient_quota" || e.Type == "insufficient_quota"
}
