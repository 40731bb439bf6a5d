package provider

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"
)

// maxRetryAfter caps the Retry-After a chain is willing to wait for; a
// provider asking for longer is left for the next one, since retrying
// earlier than asked would only earn another 429.
const maxRetryAfter = 30 * time.Second

// Chain answers from an ordered list of providers: the first that answers
// wins. A Chain is safe for concurrent use; its Streams share the
// providers' breakers.
type Chain struct {
	name        string
	clients     []*Client
	clock       Clock
	log         *slog.Logger
	metrics     *metrics
	backoffBase time.Duration
	backoffMax  time.Duration
	// jitter returns a uniform random int64 in [0, n).
	jitter func(n int64) int64
}

// ProviderState describes one provider of a chain, for status pages and
// /readyz.
type ProviderState struct {
	Name       string
	Model      string
	State      State
	ThirdParty bool
}

// NewChain returns a chain named name (used in logs and metrics) over
// clients, tried in the given order. It starts nothing.
func NewChain(name string, clients []*Client, opts ...Option) (*Chain, error) {
	if name == "" {
		return nil, errors.New("provider chain: empty name")
	}
	if len(clients) == 0 {
		return nil, fmt.Errorf("provider chain %s: no providers", name)
	}
	seen := make(map[string]bool, len(clients))
	for i, c := range clients {
		if c == nil {
			return nil, fmt.Errorf("provider chain %s: provider %d is nil", name, i)
		}
		if seen[c.Name()] {
			return nil, fmt.Errorf("provider chain %s: provider %s listed twice", name, c.Name())
		}
		seen[c.Name()] = true
	}
	o := buildOptions(opts)
	return &Chain{
		name:        name,
		clients:     append([]*Client(nil), clients...),
		clock:       o.clock,
		log:         o.logger.With("chain", name),
		metrics:     newMetrics(o.metrics),
		backoffBase: o.backoffBase,
		backoffMax:  o.backoffMax,
		jitter:      rand.Int64N,
	}, nil
}

var (
	_ Streamer = (*Chain)(nil)
	_ Streamer = (*Client)(nil)
)

// Name returns the chain's name.
func (ch *Chain) Name() string { return ch.name }

// Stream tries the providers in order. A provider whose breaker is open is
// skipped; a retryable failure is retried on the same provider up to its
// max_retries, after its Retry-After or else an exponential backoff with
// full jitter, as long as the wait fits before ctx's deadline; otherwise,
// and after any other failure before text was streamed, the next provider
// takes over.
//
// Text from two providers is never mixed: once text has reached onDelta, a
// failure ends the chain and Stream returns the Interrupted Result with the
// provider's error. When every provider failed, the error wraps
// ErrAllFailed and each provider's error. When ctx ends, Stream returns at
// once with an error wrapping ctx's cause, not ErrAllFailed.
func (ch *Chain) Stream(ctx context.Context, req Request, onDelta DeltaFunc) (Result, error) {
	errs := make([]error, 0, len(ch.clients))
	for i, c := range ch.clients {
		res, err := ch.try(ctx, c, req, onDelta)
		if err == nil {
			return res, nil
		}
		if res.Interrupted || ctx.Err() != nil {
			return res, fmt.Errorf("provider chain %s: %w", ch.name, err)
		}
		errs = append(errs, err)
		if i+1 < len(ch.clients) {
			ch.metrics.failover(ch.name, c.Name())
			ch.log.WarnContext(ctx, "provider failed, handing over", "provider", c.Name(),
				"next", ch.clients[i+1].Name(), "err", err)
		}
	}
	return Result{}, fmt.Errorf("provider chain %s: %w: %w", ch.name, ErrAllFailed, errors.Join(errs...))
}

// try runs req on one provider with retries. A breaker that refuses a
// retry ends the attempts with the last real failure.
func (ch *Chain) try(ctx context.Context, c *Client, req Request, onDelta DeltaFunc) (Result, error) {
	var last error
	for attempt := 0; ; attempt++ {
		permit, ok := c.breaker.Allow()
		if !ok {
			if last == nil {
				last = c.cls.final(ErrBreakerOpen)
			}
			return Result{}, last
		}
		res, err := c.Stream(ctx, req, onDelta)
		c.breaker.Done(permit, breakerOutcome(ctx, err))
		if err == nil || res.Interrupted || ctx.Err() != nil {
			return res, err
		}
		last = err
		wait, ok := ch.retryWait(ctx, c, attempt, err)
		if !ok {
			return res, err
		}
		ch.metrics.retry(c.Name())
		ch.log.InfoContext(ctx, "retrying provider", "provider", c.Name(), "attempt", attempt+1,
			"wait_ms", wait.Milliseconds(), "err", err)
		if ch.clock.Sleep(ctx, wait) != nil {
			return Result{}, c.cls.classify(ctx, ctx, err, 0)
		}
	}
}

// retryWait decides whether the failure err of attempt (0-based) on c is
// retried, and after how long.
func (ch *Chain) retryWait(ctx context.Context, c *Client, attempt int, err error) (time.Duration, bool) {
	var pe *Error
	if !errors.As(err, &pe) || !pe.Retryable || attempt >= c.cfg.MaxRetries {
		return 0, false
	}
	wait := pe.RetryAfter
	if wait > maxRetryAfter {
		return 0, false
	}
	if wait == 0 {
		wait = ch.backoff(attempt)
	}
	// The wait must leave room for at least a first token before the
	// caller's deadline; otherwise the next provider is the better bet.
	if dl, ok := ctx.Deadline(); ok && ch.clock.Now().Add(wait+c.cfg.FirstTokenTimeout).After(dl) {
		return 0, false
	}
	return wait, true
}

// backoff returns the full-jitter wait before retry number attempt+1: a
// uniform random duration in [0, min(max, base·2^attempt)].
func (ch *Chain) backoff(attempt int) time.Duration {
	ceiling := ch.backoffMax
	if attempt < 32 && ch.backoffBase<<attempt < ceiling {
		ceiling = ch.backoffBase << attempt
	}
	return time.Duration(ch.jitter(int64(ceiling) + 1))
}

// breakerOutcome says what a call's result tells about the provider's
// health: a caller that gave up or a request the provider rejected as
// malformed or too large says nothing.
func breakerOutcome(ctx context.Context, err error) Outcome {
	var pe *Error
	switch {
	case err == nil:
		return OutcomeSuccess
	case ctx.Err() != nil:
		return OutcomeIgnored
	case errors.As(err, &pe) && (pe.Status == http.StatusBadRequest ||
		pe.Status == http.StatusRequestEntityTooLarge || pe.Status == http.StatusUnprocessableEntity):
		return OutcomeIgnored
	}
	return OutcomeFailure
}

// Usable reports whether at least one provider's breaker is not open: the
// chain can still try to answer. It is meant for /readyz.
func (ch *Chain) Usable() bool {
	for _, c := range ch.clients {
		if c.breaker.State() != StateOpen {
			return true
		}
	}
	return false
}

// States returns each provider's name, model, breaker state and
// third-party flag, in chain order.
func (ch *Chain) States() []ProviderState {
	out := make([]ProviderState, len(ch.clients))
	for i, c := range ch.clients {
		out[i] = ProviderState{Name: c.Name(), Model: c.Model(), State: c.breaker.State(), ThirdParty: c.ThirdParty()}
	}
	return out
}
