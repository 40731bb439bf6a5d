package chain

import (
	"cmp"
	"context"
	"log/slog"
	"time"

	"imbot/core/kit"
	"imbot/core/metric"
)

// Default retry backoff.
const (
	defaultBackoffBase = 500 * time.Millisecond
	defaultBackoffMax  = 10 * time.Second
)

// Clock is the time source of breakers and chains. Tests replace it to
// drive cool-downs and backoff without waiting. Now must be comparable with
// context deadlines (wall-clock based), since a chain checks whether a wait
// fits before ctx's deadline. Both methods may be called from any
// goroutine.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d or until ctx ends, returning ctx's error in the
	// latter case.
	Sleep(ctx context.Context, d time.Duration) error
}

// systemClock is the real Clock.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error { return kit.Sleep(ctx, d) }

// Option configures a Member (NewMember) or a Chain (New); each says which
// it concerns.
type Option func(*options)

type options struct {
	logger  *slog.Logger
	clock   Clock
	meter   metric.Meter
	backoff kit.Backoff
}

func buildOptions(opts []Option) options {
	o := options{
		logger:  slog.New(slog.DiscardHandler),
		clock:   systemClock{},
		meter:   metric.Discard(),
		backoff: kit.Backoff{Base: defaultBackoffBase, Max: defaultBackoffMax},
	}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithLogger sets a chain's logger; the default (or nil) discards.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = cmp.Or(l, o.logger) } }

// WithClock replaces the real clock (breaker cool-downs, backoff sleeps);
// nil keeps it.
func WithClock(c Clock) Option { return func(o *options) { o.clock = cmp.Or(c, o.clock) } }

// WithMetrics reports retries, fail-overs and breaker states to m; nil
// keeps the default, which discards.
func WithMetrics(m metric.Meter) Option { return func(o *options) { o.meter = cmp.Or(m, o.meter) } }

// WithBackoff sets a chain's retry backoff: attempt n waits a random time
// in [0, min(max, base·2ⁿ)] (full jitter). Defaults 500ms and 10s.
func WithBackoff(base, max time.Duration) Option {
	return func(o *options) {
		if base > 0 && max >= base {
			o.backoff.Base, o.backoff.Max = base, max
		}
	}
}
