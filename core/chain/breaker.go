package chain

import (
	"sync"
	"time"
)

// State is a circuit breaker's state.
type State uint8

// Breaker states.
const (
	StateClosed   State = iota // calls flow; failures are counted
	StateOpen                  // calls are refused until the cool-down ends
	StateHalfOpen              // a few probe calls decide whether to close
)

// String returns "closed", "open" or "half_open".
func (s State) String() string {
	switch s {
	case StateOpen:
		return "open"
	case StateHalfOpen:
		return "half_open"
	}
	return "closed"
}

// Outcome is how one permitted call ended, as far as the breaker cares.
type Outcome uint8

// Call outcomes.
const (
	// OutcomeSuccess is a call the provider served.
	OutcomeSuccess Outcome = iota
	// OutcomeFailure is a call the provider failed.
	OutcomeFailure
	// OutcomeIgnored is a call that says nothing about the provider's
	// health (the caller gave up, or the request itself was bad).
	OutcomeIgnored
)

// breakerBuckets is how many slices the rolling window is counted in.
const breakerBuckets = 10

// Permit is the breaker's leave for one call; hand it back to Done.
type Permit struct {
	gen   uint64
	probe bool
}

// Breaker is a circuit breaker for one provider. Closed, it lets every call
// through and counts outcomes over a rolling window; when at least min_calls
// ended in the window and the failure ratio reaches failure_ratio it opens.
// Open, it refuses calls until cooldown has passed, then half-opens: up to
// half_open_probes probe calls run at once; when that many have succeeded it
// closes, and any probe failure opens it again.
//
// A Breaker is safe for concurrent use.
type Breaker struct {
	cfg      BreakerConfig
	now      func() time.Time
	onChange func(State) // called with the lock held; must not call back

	mu       sync.Mutex
	state    State
	gen      uint64 // bumped on every transition; stale permits are ignored
	openedAt time.Time
	probes   int // probes in flight while half open
	passed   int // probes that succeeded while half open
	buckets  [breakerBuckets]bucket
}

type bucket struct {
	epoch           int64 // which slice of time this bucket counts
	calls, failures int
}

// NewBreaker returns a closed breaker that reads the time from now.
func NewBreaker(cfg BreakerConfig, now func() time.Time) *Breaker {
	return &Breaker{cfg: cfg, now: now}
}

// State returns the current state; an open breaker whose cool-down has
// passed reports half_open.
func (b *Breaker) State() State {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advance(b.now())
	return b.state
}

// Allow asks to make one call. When it returns false the call must not be
// made; otherwise its outcome must be reported with Done.
func (b *Breaker) Allow() (Permit, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advance(b.now())
	switch b.state {
	case StateOpen:
		return Permit{}, false
	case StateHalfOpen:
		if b.probes >= b.cfg.HalfOpenProbes {
			return Permit{}, false
		}
		b.probes++
		return Permit{gen: b.gen, probe: true}, true
	}
	return Permit{gen: b.gen}, true
}

// Done reports how the call allowed by p ended.
func (b *Breaker) Done(p Permit, o Outcome) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if p.gen != b.gen {
		return // the state changed while the call ran
	}
	now := b.now()
	if p.probe {
		b.probes--
		switch o {
		case OutcomeFailure:
			b.trip(now)
		case OutcomeSuccess:
			b.passed++
			if b.passed >= b.cfg.HalfOpenProbes {
				b.transition(StateClosed)
			}
		}
		return
	}
	if o == OutcomeIgnored {
		return
	}
	calls, failures := b.record(now, o == OutcomeFailure)
	if calls >= b.cfg.MinCalls && float64(failures) >= b.cfg.FailureRatio*float64(calls) {
		b.trip(now)
	}
}

// advance moves an open breaker whose cool-down has passed to half open.
func (b *Breaker) advance(now time.Time) {
	if b.state == StateOpen && now.Sub(b.openedAt) >= b.cfg.Cooldown {
		b.transition(StateHalfOpen)
	}
}

func (b *Breaker) trip(now time.Time) {
	b.openedAt = now
	b.transition(StateOpen)
}

func (b *Breaker) transition(s State) {
	b.state = s
	b.gen++
	b.probes, b.passed = 0, 0
	b.buckets = [breakerBuckets]bucket{}
	if b.onChange != nil {
		b.onChange(s)
	}
}

// record counts one outcome and returns the totals over the window.
func (b *Breaker) record(now time.Time, failed bool) (calls, failures int) {
	width := b.cfg.Window / breakerBuckets
	if width <= 0 {
		width = 1
	}
	epoch := now.UnixNano() / int64(width)
	cur := &b.buckets[(epoch%breakerBuckets+breakerBuckets)%breakerBuckets]
	if cur.epoch != epoch {
		*cur = bucket{epoch: epoch}
	}
	cur.calls++
	if failed {
		cur.failures++
	}
	for _, bk := range b.buckets {
		if bk.epoch > epoch-breakerBuckets && bk.epoch <= epoch {
			calls += bk.calls
			failures += bk.failures
		}
	}
	return calls, failures
}
