package chain

import (
	"testing"
	"time"
)

func newTestBreaker(clock *fakeClock, tweak func(*BreakerConfig)) *Breaker {
	cfg := DefaultBreakerConfig()
	cfg.MinCalls, cfg.MinConversations = 5, 1
	if tweak != nil {
		tweak(&cfg)
	}
	return NewBreaker(cfg, clock.Now)
}

// call runs one permitted call with outcome o and reports whether it was
// allowed.
func call(b *Breaker, o Outcome) bool {
	p, ok := b.Allow("")
	if ok {
		b.Done(p, o)
	}
	return ok
}

func TestBreakerOpensOnRatio(t *testing.T) {
	tests := []struct {
		name     string
		outcomes []Outcome
		want     State
	}{
		{"below min calls", []Outcome{OutcomeFailure, OutcomeFailure, OutcomeFailure, OutcomeFailure}, StateClosed},
		{"ratio reached", []Outcome{OutcomeSuccess, OutcomeFailure, OutcomeSuccess, OutcomeFailure, OutcomeFailure}, StateOpen},
		{"ratio not reached", []Outcome{OutcomeSuccess, OutcomeSuccess, OutcomeSuccess, OutcomeFailure, OutcomeFailure}, StateClosed},
		{"ignored calls do not count", []Outcome{OutcomeIgnored, OutcomeIgnored, OutcomeIgnored, OutcomeFailure, OutcomeFailure}, StateClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTestBreaker(newFakeClock(), nil)
			for _, o := range tt.outcomes {
				if !call(b, o) {
					t.Fatal("closed breaker refused a call")
				}
			}
			if got := b.State(); got != tt.want {
				t.Errorf("state = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestBreakerWindowRolls(t *testing.T) {
	clock := newFakeClock()
	b := newTestBreaker(clock, nil)
	for range 4 {
		call(b, OutcomeFailure)
	}
	clock.Advance(61 * time.Second) // the four failures leave the window
	call(b, OutcomeFailure)
	if got := b.State(); got != StateClosed {
		t.Fatalf("state = %s, want closed: old failures must expire", got)
	}
	for range 4 {
		call(b, OutcomeFailure)
	}
	if got := b.State(); got != StateOpen {
		t.Fatalf("state = %s, want open after 5 failures in the window", got)
	}
}

func TestBreakerHalfOpen(t *testing.T) {
	clock := newFakeClock()
	var changes []State
	b := newTestBreaker(clock, func(c *BreakerConfig) { c.MinCalls, c.HalfOpenProbes = 1, 2 })
	b.onChange = func(s State) { changes = append(changes, s) }
	call(b, OutcomeFailure)
	if _, ok := b.Allow(""); ok {
		t.Fatal("open breaker allowed a call")
	}
	clock.Advance(29 * time.Second)
	if b.State() != StateOpen {
		t.Fatal("breaker half-opened before the cool-down")
	}
	clock.Advance(time.Second)
	p1, ok1 := b.Allow("")
	p2, ok2 := b.Allow("")
	if _, ok3 := b.Allow(""); !ok1 || !ok2 || ok3 {
		t.Fatalf("half-open allowed %t %t %t, want two probes only", ok1, ok2, ok3)
	}
	b.Done(p1, OutcomeSuccess)
	if b.State() != StateHalfOpen {
		t.Fatal("closed after one of two probes")
	}
	b.Done(p2, OutcomeSuccess)
	if b.State() != StateClosed {
		t.Fatalf("state = %s, want closed after two good probes", b.State())
	}
	want := []State{StateOpen, StateHalfOpen, StateClosed}
	if len(changes) != len(want) || changes[0] != want[0] || changes[1] != want[1] || changes[2] != want[2] {
		t.Errorf("transitions = %v, want %v", changes, want)
	}
}

func TestBreakerProbeFailureReopens(t *testing.T) {
	clock := newFakeClock()
	b := newTestBreaker(clock, func(c *BreakerConfig) { c.MinCalls = 1 })
	call(b, OutcomeFailure)
	clock.Advance(30 * time.Second)
	call(b, OutcomeFailure)
	if b.State() != StateOpen {
		t.Fatalf("state = %s, want open again", b.State())
	}
	clock.Advance(30 * time.Second)
	p, ok := b.Allow("")
	if !ok {
		t.Fatal("no probe after the second cool-down")
	}
	b.Done(p, OutcomeIgnored) // frees the probe slot without a verdict
	if !call(b, OutcomeSuccess) || b.State() != StateClosed {
		t.Errorf("state = %s, want closed", b.State())
	}
}

func TestBreakerIgnoresStalePermits(t *testing.T) {
	clock := newFakeClock()
	b := newTestBreaker(clock, func(c *BreakerConfig) { c.MinCalls = 1 })
	slow, _ := b.Allow("") // a call that outlives the state it began in
	call(b, OutcomeFailure)
	clock.Advance(30 * time.Second)
	probe, _ := b.Allow("")
	b.Done(slow, OutcomeSuccess)
	if b.State() != StateHalfOpen {
		t.Fatalf("stale success changed the state to %s", b.State())
	}
	b.Done(probe, OutcomeSuccess)
	if b.State() != StateClosed {
		t.Errorf("state = %s, want closed", b.State())
	}
}

func TestStateString(t *testing.T) {
	for s, want := range map[State]string{StateClosed: "closed", StateOpen: "open", StateHalfOpen: "half_open"} {
		if s.String() != want {
			t.Errorf("%d.String() = %q, want %q", s, s.String(), want)
		}
	}
}
