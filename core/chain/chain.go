package chain

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"imbot/core"
	"imbot/core/kit"
)

// Sentinel errors. Errors returned by a Chain wrap them, so callers test
// with errors.Is.
var (
	// ErrAllFailed means every provider of a chain failed (or was skipped by
	// its open breaker) before any text was streamed; the caller should send
	// its degraded reply.
	ErrAllFailed = errors.New("all providers failed")
	// ErrBreakerOpen means the provider's circuit breaker refused the call.
	ErrBreakerOpen = errors.New("circuit breaker open")
)

// maxRetryAfter caps the Retry-After a chain is willing to wait for; a
// provider asking for longer is left for the next one, since retrying
// earlier than asked would only earn another 429.
const maxRetryAfter = 30 * time.Second

// Chain answers from an ordered list of providers: the first that answers
// wins. A Chain is safe for concurrent use; its Streams share the members'
// breakers.
type Chain struct {
	name    string
	members []*Member
	clock   Clock
	log     *slog.Logger
	metrics metrics
	backoff kit.Backoff
}

// ProviderState describes one provider of a chain, for status pages and
// /readyz.
type ProviderState struct {
	Name       string
	Model      string
	State      State
	ThirdParty bool
}

var _ core.Streamer = (*Chain)(nil)

// New returns a chain named name (used in logs and metrics) over members,
// tried in the given order. It starts nothing.
func New(name string, members []*Member, opts ...Option) (*Chain, error) {
	if name == "" {
		return nil, errors.New("provider chain: empty name")
	}
	if len(members) == 0 {
		return nil, fmt.Errorf("provider chain %s: no providers", name)
	}
	seen := make(map[string]bool, len(members))
	for i, m := range members {
		if m == nil {
			return nil, fmt.Errorf("provider chain %s: provider %d is nil", name, i)
		}
		if seen[m.Name()] {
			return nil, fmt.Errorf("provider chain %s: provider %s listed twice", name, m.Name())
		}
		seen[m.Name()] = true
	}
	o := buildOptions(opts)
	return &Chain{
		name:    name,
		members: append([]*Member(nil), members...),
		clock:   o.clock,
		log:     o.logger.With("chain", name),
		metrics: newMetrics(o.meter),
		backoff: o.backoff,
	}, nil
}

// Name returns the chain's name.
func (ch *Chain) Name() string { return ch.name }

// Stream tries the providers in order. A provider whose breaker is open is
// skipped; a retryable failure is retried on the same provider up to its
// MaxRetries, after its Retry-After or else an exponential backoff with
// full jitter, as long as the wait fits before ctx's deadline; otherwise,
// and after any other failure before text was streamed, the next provider
// takes over.
//
// Text from two providers is never mixed: once text has reached onDelta, a
// failure ends the chain and Stream returns the Interrupted result with the
// provider's error. When every provider failed, the error wraps
// ErrAllFailed and each provider's error. When ctx ends, Stream returns at
// once with an error wrapping ctx's cause, not ErrAllFailed.
func (ch *Chain) Stream(ctx context.Context, req core.ModelRequest, onDelta core.DeltaFunc) (core.ModelResult, error) {
	errs := make([]error, 0, len(ch.members))
	for i, m := range ch.members {
		res, err := ch.try(ctx, m, req, onDelta)
		if err == nil {
			return res, nil
		}
		if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
			err = fmt.Errorf("%w: %w", cause, err)
		}
		if res.Interrupted || ctx.Err() != nil {
			return res, fmt.Errorf("provider chain %s: %w", ch.name, err)
		}
		errs = append(errs, err)
		if i+1 < len(ch.members) {
			ch.metrics.failover(ch.name, m.Name())
			ch.log.WarnContext(ctx, "provider failed, handing over", "provider", m.Name(),
				"next", ch.members[i+1].Name(), "err", err)
		}
	}
	return core.ModelResult{}, fmt.Errorf("provider chain %s: %w: %w", ch.name, ErrAllFailed, errors.Join(errs...))
}

// try runs req on one provider with retries. The whole turn, retries
// included, is one call for the provider's breaker, made for
// req.Conversation: a message the provider keeps failing counts once.
func (ch *Chain) try(ctx context.Context, m *Member, req core.ModelRequest, onDelta core.DeltaFunc) (core.ModelResult, error) {
	permit, ok := m.breaker.Allow(req.Conversation)
	if !ok {
		return core.ModelResult{}, fmt.Errorf("provider %s: %w", m.Name(), ErrBreakerOpen)
	}
	res, err := ch.attempts(ctx, m, req, onDelta)
	m.breaker.Done(permit, breakerOutcome(ctx, err))
	return res, err
}

// attempts calls m until it answers, fails for good, or its breaker opens
// (through other turns' failures) between two attempts.
func (ch *Chain) attempts(ctx context.Context, m *Member, req core.ModelRequest, onDelta core.DeltaFunc) (core.ModelResult, error) {
	for attempt := 0; ; attempt++ {
		res, err := core.StreamAs(ctx, m.streamer, m.policy.ThirdParty, req, onDelta)
		if err == nil || res.Interrupted || ctx.Err() != nil {
			return res, err
		}
		wait, ok := ch.retryWait(ctx, m, attempt, err)
		if !ok || m.breaker.State() == StateOpen {
			return res, err
		}
		ch.metrics.retry(m.Name())
		ch.log.InfoContext(ctx, "retrying provider", "provider", m.Name(), "attempt", attempt+1,
			"wait_ms", wait.Milliseconds(), "err", err)
		if ch.clock.Sleep(ctx, wait) != nil {
			return core.ModelResult{}, fmt.Errorf("%w: %w", context.Cause(ctx), err)
		}
	}
}

// retryWait decides whether the failure err of attempt (0-based) on m is
// retried, and after how long.
func (ch *Chain) retryWait(ctx context.Context, m *Member, attempt int, err error) (time.Duration, bool) {
	f, ok := failure(err)
	if !ok || !f.Retryable || attempt >= m.policy.MaxRetries {
		return 0, false
	}
	wait := f.RetryAfter
	if wait > maxRetryAfter {
		return 0, false
	}
	if wait == 0 {
		wait = ch.backoff.Full(attempt)
	}
	// The wait must leave room for at least a first token before the
	// caller's deadline; otherwise the next provider is the better bet.
	if dl, ok := ctx.Deadline(); ok && ch.clock.Now().Add(wait+m.policy.FirstTokenTimeout).After(dl) {
		return 0, false
	}
	return wait, true
}

// failure returns err's classification, if a provider gave one.
func failure(err error) (core.Failure, bool) {
	var pe core.ProviderError
	if !errors.As(err, &pe) {
		return core.Failure{}, false
	}
	return pe.Failure(), true
}

// breakerOutcome says what a call's result tells about the provider's
// health: a caller that gave up or a request the provider rejected as
// malformed or too large says nothing.
func breakerOutcome(ctx context.Context, err error) Outcome {
	f, classified := failure(err)
	switch {
	case err == nil:
		return OutcomeSuccess
	case ctx.Err() != nil:
		return OutcomeIgnored
	case classified && (f.Status == http.StatusBadRequest ||
		f.Status == http.StatusRequestEntityTooLarge || f.Status == http.StatusUnprocessableEntity):
		return OutcomeIgnored
	}
	return OutcomeFailure
}

// Usable reports whether at least one provider's breaker is not open: the
// chain can still try to answer. It is meant for /readyz.
func (ch *Chain) Usable() bool {
	for _, m := range ch.members {
		if m.breaker.State() != StateOpen {
			return true
		}
	}
	return false
}

// States returns each provider's name, model, breaker state and
// third-party flag, in chain order.
func (ch *Chain) States() []ProviderState {
	out := make([]ProviderState, len(ch.members))
	for i, m := range ch.members {
		out[i] = ProviderState{Name: m.Name(), Model: m.policy.Model, State: m.breaker.State(), ThirdParty: m.policy.ThirdParty}
	}
	return out
}
