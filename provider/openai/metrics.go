package provider

import (
	"context"
	"errors"
	"net/http"
	"time"

	"imbot/core/metric"
)

// metrics holds this package's metric families. A nil *metrics records
// nothing, so code can call it unconditionally.
type metrics struct {
	calls      metric.ValueVec
	firstToken metric.HistogramVec
	tokens     metric.ValueVec
	retries    metric.ValueVec
	failovers  metric.ValueVec
	breaker    metric.ValueVec
}

func newMetrics(r *metric.Registry) *metrics {
	if r == nil {
		return nil
	}
	return &metrics{
		calls: r.Counter("imbot_provider_calls_total",
			"Provider calls by outcome.", "provider", "outcome"),
		firstToken: r.Histogram("imbot_provider_first_token_seconds",
			"Time from sending a request to the first streamed sign of life.", metric.LatencyBuckets, "provider"),
		tokens: r.Counter("imbot_provider_tokens_total",
			"Tokens providers reported, by kind (prompt, completion).", "provider", "kind"),
		retries: r.Counter("imbot_provider_retries_total",
			"Retries of a failed call on the same provider.", "provider"),
		failovers: r.Counter("imbot_provider_failovers_total",
			"Hand-overs from a failed provider to the next one in a chain.", "chain", "provider"),
		breaker: r.Gauge("imbot_provider_breaker_state",
			"Circuit breaker state: 0 closed, 1 open, 2 half open.", "provider"),
	}
}

func (m *metrics) call(provider string, res Result, err error, firstToken time.Duration) {
	if m == nil {
		return
	}
	m.calls.With(provider, outcomeLabel(res, err)).Inc()
	if firstToken >= 0 {
		m.firstToken.With(provider).Observe(firstToken.Seconds())
	}
	if res.Usage.PromptTokens > 0 {
		m.tokens.With(provider, "prompt").Add(float64(res.Usage.PromptTokens))
	}
	if res.Usage.CompletionTokens > 0 {
		m.tokens.With(provider, "completion").Add(float64(res.Usage.CompletionTokens))
	}
}

func (m *metrics) retry(provider string) {
	if m != nil {
		m.retries.With(provider).Inc()
	}
}

func (m *metrics) failover(chain, provider string) {
	if m != nil {
		m.failovers.With(chain, provider).Inc()
	}
}

func (m *metrics) breakerState(provider string, s State) {
	if m != nil {
		m.breaker.With(provider).Set(float64(s))
	}
}

// outcomeLabel names how a call ended, for the calls counter.
func outcomeLabel(res Result, err error) string {
	var pe *Error
	switch {
	case err == nil:
		return "ok"
	case res.Interrupted:
		return "interrupted"
	case errors.Is(err, ErrFirstTokenTimeout):
		return "first_token_timeout"
	case errors.Is(err, ErrTimeout):
		return "timeout"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	case !errors.As(err, &pe):
		return "error"
	case pe.Status == http.StatusTooManyRequests:
		return "rate_limited"
	case pe.Status >= 500:
		return "server_error"
	case pe.Status >= 400:
		return "client_error"
	case !pe.Retryable:
		return "invalid_response"
	}
	return "network_error"
}
