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
	conv  string
}

// Trip says why a breaker opened: the window's totals when the failure
// ratio was reached, or a failed probe while half open.
type Trip struct {
	// Probe is set when a half-open probe failed; the totals are then zero.
	Probe bool
	// Calls and Failures are the outcomes counted in the window.
	Calls, Failures int
	// Conversations is how many distinct conversations failed in the window.
	Conversations int
}

// Ratio is the failure ratio of the window, 0 without calls.
func (t Trip) Ratio() float64 {
	if t.Calls == 0 {
		return 0
	}
	return float64(t.Failures) / float64(t.Calls)
}

// Reason is "probe_failed" or "failure_ratio", for metrics.
func (t Trip) Reason() string {
	if t.Probe {
		return "probe_failed"
	}
	return "failure_ratio"
}

// Breaker is a circuit breaker for one provider. Closed, it lets every call
// through and counts outcomes over a rolling window; it opens when at least
// min_calls ended in the window, the failure ratio reaches failure_ratio and
// the failures came from at least min_conversations distinct conversations,
// so that one user's message that the provider cannot serve never takes the
// provider away from everyone. A call is one turn of one conversation on
// this provider, its retries included.
// Open, it refuses calls until cooldown has passed, then half-opens: up to
// half_open_probes probe calls run at once; when that many have succeeded it
// closes, and any probe failure opens it again.
//
// A Breaker is safe for concurrent use.
type Breaker struct {
	cfg      BreakerConfig
	now      func() time.Time
	onChange func(State) // called with the lock held; must not call back
	onTrip   func(Trip)  // called with the lock held when it opens; must not call back

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
	failed          map[string]struct{} // conversations that failed
	anonymous       int                 // failures without a conversation, each its own
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

// Allow asks to make one call for conversation (any stable key; empty when
// unknown, which counts as a conversation of its own). When it returns false
// the call must not be made; otherwise its outcome must be reported with
// Done.
func (b *Breaker) Allow(conversation string) (Permit, bool) {
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
		return Permit{gen: b.gen, probe: true, conv: conversation}, true
	}
	return Permit{gen: b.gen, conv: conversation}, true
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
			b.trip(now, Trip{Probe: true})
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
	t := b.record(now, o == OutcomeFailure, p.conv)
	if t.Calls >= b.cfg.MinCalls && t.Conversations >= b.cfg.MinConversations &&
		float64(t.Failures) >= b.cfg.FailureRatio*float64(t.Calls) {
		b.trip(now, t)
	}
}

// advance moves an open breaker whose cool-down has passed to half open.
func (b *Breaker) advance(now time.Time) {
	if b.state == StateOpen && now.Sub(b.openedAt) >= b.cfg.Cooldown {
		b.transition(StateHalfOpen)
	}
}

func (b *Breaker) trip(now time.Time, t Trip) {
	b.openedAt = now
	b.transition(StateOpen)
	if b.onTrip != nil {
		b.onTrip(t)
	}
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

// record counts one outcome of conv and returns the totals over the window.
func (b *Breaker) record(now time.Time, failed bool, conv string) Trip {
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
		cur.addFailed(conv)
	}
	var t Trip
	convs := map[string]struct{}{}
	for _, bk := range b.buckets {
		if bk.epoch > epoch-breakerBuckets && bk.epoch <= epoch {
			t.Calls += bk.calls
			t.Failures += bk.failures
			t.Conversations += bk.anonymous
			for c := range bk.failed {
				convs[c] = struct{}{}
			}
		}
	}
	t.Conversations += len(convs)
	return t
}

// addFailed counts a failure of conv.
func (bk *bucket) addFailed(conv string) {
	if conv == "" {
		bk.anonymous++
		return
	}
	if bk.failed == nil {
		bk.failed = map[string]struct{}{}
	}
	bk.failed[conv] = struct{}{}
}
