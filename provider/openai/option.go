package provider

import (
	"log/slog"
	"net/http"
	"time"

	"imbot/core/metric"
)

// Defaults of the options.
const (
	defaultMaxResponseBytes = 16 << 20
	defaultBackoffBase      = 500 * time.Millisecond
	defaultBackoffMax       = 10 * time.Second
	// defaultEmptyMessagesLimit is how many non-data SSE lines (keep-alive
	// comments, blank lines) may precede one data line.
	defaultEmptyMessagesLimit = 1000
)

// Option configures a Client (NewClient) or a Chain (NewChain). Options
// that concern only one of them are ignored by the other, as each says.
type Option func(*options)

type options struct {
	httpClient       *http.Client
	logger           *slog.Logger
	clock            Clock
	metrics          *metric.Registry
	maxResponseBytes int64
	backoffBase      time.Duration
	backoffMax       time.Duration
}

func buildOptions(opts []Option) options {
	o := options{
		logger:           slog.New(slog.DiscardHandler),
		clock:            systemClock{},
		maxResponseBytes: defaultMaxResponseBytes,
		backoffBase:      defaultBackoffBase,
		backoffMax:       defaultBackoffMax,
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithHTTPClient sets the HTTP client a Client sends requests with. Its
// Timeout should be zero: it would cut long streams; the client enforces its
// own first-token and total timeouts. Client only.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) {
		if hc != nil {
			o.httpClient = hc
		}
	}
}

// WithLogger sets the logger; the default discards.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithClock replaces the real clock (timeouts, breaker, backoff sleeps).
func WithClock(c Clock) Option {
	return func(o *options) {
		if c != nil {
			o.clock = c
		}
	}
}

// WithMetrics registers and updates this package's metrics in r.
func WithMetrics(r *metric.Registry) Option {
	return func(o *options) { o.metrics = r }
}

// WithMaxResponseBytes caps the bytes read from one response (default
// 16 MiB); a provider that sends more fails the call. Client only.
func WithMaxResponseBytes(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxResponseBytes = n
		}
	}
}

// WithBackoff sets the retry backoff: attempt n waits a random time in
// [0, min(max, base·2ⁿ)] (full jitter). Defaults 500ms and 10s. Chain only.
func WithBackoff(base, max time.Duration) Option {
	return func(o *options) {
		if base > 0 && max >= base {
			o.backoffBase, o.backoffMax = base, max
		}
	}
}
