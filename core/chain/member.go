package chain

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"imbot/core"
)

// Policy is what chains need to know about one provider beyond its
// Streamer: who it is, how often to retry it and its breaker.
type Policy struct {
	// Name identifies the provider in chains, logs and metrics.
	Name string
	// Model is the provider's model, for status pages.
	Model string
	// ThirdParty says that user text sent here leaves the operator's own
	// infrastructure.
	ThirdParty bool
	// MaxRetries is how many times a retryable failure is retried on this
	// provider before the chain moves on.
	MaxRetries int
	// FirstTokenTimeout is the provider's first-token timeout: a retry is
	// only worth it when this much time is left before the caller's
	// deadline after the wait.
	FirstTokenTimeout time.Duration
	// Breaker configures the provider's circuit breaker.
	Breaker BreakerConfig
}

// Member is one provider as chains see it: its Streamer, its Policy and its
// circuit breaker. One Member may be part of several chains; they share its
// breaker. A Member is safe for concurrent use.
type Member struct {
	streamer core.Streamer
	policy   Policy
	breaker  *Breaker
}

// NewMember returns a member answering with s under policy. Of the options
// it uses the clock, the metrics (the breaker state gauge and openings by
// reason) and the logger (why the breaker opened). It starts nothing.
func NewMember(s core.Streamer, policy Policy, opts ...Option) (*Member, error) {
	if s == nil {
		return nil, errors.New("chain member: nil streamer")
	}
	if policy.Name == "" {
		return nil, errors.New("chain member: empty name")
	}
	if p := policy.Breaker.Validate(); len(p) > 0 {
		return nil, fmt.Errorf("chain member %s: breaker: %s", policy.Name, strings.Join(p, "; "))
	}
	o := buildOptions(opts)
	m := newMetrics(o.meter)
	b := NewBreaker(policy.Breaker, o.clock.Now)
	b.onChange = func(s State) { m.breakerState(policy.Name, s) }
	log := o.logger.With("provider", policy.Name)
	b.onTrip = func(t Trip) {
		m.breakerOpened(policy.Name, t.Reason())
		log.Warn("circuit breaker opened", "reason", t.Reason(), "calls", t.Calls, "failures", t.Failures,
			"failure_ratio", t.Ratio(), "conversations", t.Conversations, "cooldown", policy.Breaker.Cooldown)
	}
	m.breakerState(policy.Name, StateClosed)
	return &Member{streamer: s, policy: policy, breaker: b}, nil
}

// Name returns the provider's name.
func (m *Member) Name() string { return m.policy.Name }

// State returns the provider's breaker state.
func (m *Member) State() State { return m.breaker.State() }
