package openai

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	goopenai "github.com/sashabaranov/go-openai"
)

// maxRetryAfterHeader bounds the Retry-After header we are willing to parse.
const maxRetryAfterHeader = 64

// retryAfterHolder receives the Retry-After of the responses to one call.
// The HTTP doer writes it (possibly from the transport's goroutine) and the
// caller reads it once the call has failed.
type retryAfterHolder struct{ d atomic.Int64 }

func (h *retryAfterHolder) get() time.Duration { return time.Duration(h.d.Load()) }

type holderKey struct{}

// withRetryAfterHolder returns ctx carrying a fresh holder for the doer.
func withRetryAfterHolder(ctx context.Context) (context.Context, *retryAfterHolder) {
	h := new(retryAfterHolder)
	return context.WithValue(ctx, holderKey{}, h), h
}

// doer wraps the HTTP client given to go-openai: it splices the messages of
// a chat request into its body (body.go), records each response's
// Retry-After into the holder in the request's context (go-openai hides the
// headers of failed responses) and caps how much of a body may be read.
type doer struct {
	next     goopenai.HTTPDoer
	now      func() time.Time
	maxBytes int64
}

// Do sends req and decorates the response.
func (d doer) Do(req *http.Request) (*http.Response, error) {
	if err := spliceMessages(req); err != nil {
		return nil, err
	}
	resp, err := d.next.Do(req)
	if err != nil {
		return resp, err
	}
	if h, ok := req.Context().Value(holderKey{}).(*retryAfterHolder); ok {
		h.d.Store(int64(parseRetryAfter(resp.Header.Get("Retry-After"), d.now())))
	}
	resp.Body = &limitedBody{rc: resp.Body, left: d.maxBytes}
	return resp, nil
}

// limitedBody fails with ErrResponseTooLarge once more than left bytes were
// read, so that a runaway provider cannot exhaust memory.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, ErrResponseTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// parseRetryAfter reads a Retry-After value, either delay-seconds or an HTTP
// date, relative to now. Missing, malformed or past values yield 0.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" || len(v) > maxRetryAfterHeader {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(maxRetryAfterSeconds) {
			secs = int64(maxRetryAfterSeconds)
		}
		return time.Duration(secs) * time.Second
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	d := t.Sub(now)
	switch {
	case d <= 0:
		return 0
	case d > maxRetryAfterSeconds*time.Second:
		return maxRetryAfterSeconds * time.Second
	}
	return d
}

// maxRetryAfterSeconds keeps absurd Retry-After values (and overflow) out of
// duration arithmetic; a chain never waits this long anyway.
const maxRetryAfterSeconds = 24 * 60 * 60
