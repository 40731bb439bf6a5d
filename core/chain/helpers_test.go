package chain

import (
	"context"
	"fmt"
	"sync"
	"time"

	"imbot/core"
)

// fakeClock is a Clock that moves only when told to: Advance, or Sleep
// (which records the wait and advances at once).
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Now()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// Advance moves the clock by d.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// providerErr is a classified provider failure.
type providerErr struct{ f core.Failure }

func (e providerErr) Error() string         { return fmt.Sprintf("status %d", e.f.Status) }
func (e providerErr) Failure() core.Failure { return e.f }
func fail(status int, retryable bool) error {
	return providerErr{core.Failure{Status: status, Retryable: retryable}}
}
func rateLimited(after time.Duration) error {
	return providerErr{core.Failure{Status: 429, Retryable: true, RetryAfter: after}}
}
func answer(name, text string) scriptStep {
	return scriptStep{res: core.ModelResult{Text: text, Provider: name}}
}
func failing(err error) scriptStep { return scriptStep{err: err} }
func interrupted(name, text string) scriptStep {
	return scriptStep{res: core.ModelResult{Text: text, Provider: name, Interrupted: true}, err: fail(0, true)}
}

// scriptStep is one call's outcome.
type scriptStep struct {
	res core.ModelResult
	err error
}

// scripted is a Streamer that plays its steps in order, then fails with
// 500s; it counts its calls.
type scripted struct {
	mu    sync.Mutex
	steps []scriptStep
	calls int
	reqs  []core.ModelRequest
}

func (s *scripted) Stream(_ context.Context, req core.ModelRequest, onDelta core.DeltaFunc) (core.ModelResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	s.reqs = append(s.reqs, req)
	if len(s.steps) == 0 {
		return core.ModelResult{}, fail(500, true)
	}
	st := s.steps[0]
	s.steps = s.steps[1:]
	if st.res.Text != "" && onDelta != nil {
		onDelta(st.res.Text)
	}
	return st.res, st.err
}

func (s *scripted) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// testPolicy is a policy with default breaker and two retries.
func testPolicy(name string) Policy {
	return Policy{Name: name, Model: name + "-model", MaxRetries: 2, FirstTokenTimeout: 15 * time.Second,
		Breaker: DefaultBreakerConfig()}
}
