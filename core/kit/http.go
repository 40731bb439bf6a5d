package kit

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// PooledTransport is a clone of the default transport that keeps idlePerHost
// idle connections per host (net/http keeps two, so a busy daemon talking to
// one API host would dial and handshake most calls anew). Requests are
// bounded by their context, not by a client timeout.
func PooledTransport(idlePerHost int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = max(t.MaxIdleConns, 4*idlePerHost)
	t.MaxIdleConnsPerHost = idlePerHost
	return t
}

// ErrBodyTooLarge and ErrBodyTimeout are the two ways ReadBody refuses a
// body on the client's account; callers map them to 413 and 408.
var (
	ErrBodyTooLarge = errors.New("request body is too large")
	ErrBodyTimeout  = errors.New("request body not received in time")
)

// BodyDeadline bounds, through w, how long the client may take from now on
// to send the request's body (timeout ≤ 0 leaves it unbounded). A handler
// that may refuse a request before reading its body calls it first: the
// server drains an unread body before it answers, and without a deadline a
// stalled client would hold the connection for as long as it likes.
func BodyDeadline(w http.ResponseWriter, timeout time.Duration) {
	if timeout > 0 {
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(timeout))
	}
}

// ReadBody reads r's body, at most limit bytes, within timeout. The listener
// of a daemon that serves WebSockets has no read timeout, so the deadline is
// set here, through w, and cleared once the body is read (the reply may take
// longer). After a failed read it stays, so that the server, which drains
// an unread body before answering, cannot wait on a stalled client. A body
// over limit is ErrBodyTooLarge, one that does not arrive in time
// ErrBodyTimeout; both wrap the cause.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64, timeout time.Duration) ([]byte, error) {
	BodyDeadline(w, timeout)
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err == nil {
		if timeout > 0 {
			_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
		}
		return body, nil
	}
	var tooBig *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &tooBig):
		return nil, fmt.Errorf("%w: %w", ErrBodyTooLarge, err)
	case errors.As(err, &ne) && ne.Timeout():
		return nil, fmt.Errorf("%w: %w", ErrBodyTimeout, err)
	}
	return nil, fmt.Errorf("read body: %w", err)
}

// BodyStatus is the HTTP status that answers a ReadBody error: 413, 408 or
// 400.
func BodyStatus(err error) int {
	switch {
	case errors.Is(err, ErrBodyTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrBodyTimeout):
		return http.StatusRequestTimeout
	}
	return http.StatusBadRequest
}
