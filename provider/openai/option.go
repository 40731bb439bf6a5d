package openai

import (
	"log/slog"
	"net/http"

	"imbot/core/metric"
)

// Defaults of the options.
const (
	defaultMaxResponseBytes = 16 << 20
	// defaultEmptyMessagesLimit is how many non-data SSE lines (keep-alive
	// comments, blank lines) may precede one data line.
	defaultEmptyMessagesLimit = 1000
)

// Option configures a Client.
type Option func(*options)

type options struct {
	httpClient       *http.Client
	logger           *slog.Logger
	clock            Clock
	meter            metric.Meter
	maxResponseBytes int64
}

func buildOptions(opts []Option) options {
	o := options{
		logger:           slog.New(slog.DiscardHandler),
		clock:            systemClock{},
		meter:            metric.Discard(),
		maxResponseBytes: defaultMaxResponseBytes,
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithHTTPClient sets the HTTP client a Client sends requests with. Its
// Timeout should be zero: it would cut long streams; the client enforces its
// own first-token and total timeouts.
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

// WithClock replaces the real clock (timeouts).
func WithClock(c Clock) Option {
	return func(o *options) {
		if c != nil {
			o.clock = c
		}
	}
}

// WithMetrics reports each call's outcome, first-token latency and tokens
// to m.
func WithMetrics(m metric.Meter) Option {
	return func(o *options) {
		if m != nil {
			o.meter = m
		}
	}
}

// WithMaxResponseBytes caps the bytes read from one response (default
// 16 MiB); a provider that sends more fails the call.
func WithMaxResponseBytes(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxResponseBytes = n
		}
	}
}
