package openai

import (
	"context"
	"errors"
	"net/http"
	"time"

	"imbot/core"
	"imbot/core/metric"
)

// metrics holds a client's metric families.
type metrics struct {
	calls      metric.CounterVec
	firstToken metric.HistogramVec
	tokens     metric.CounterVec
}

func newMetrics(m metric.Meter) metrics {
	return metrics{
		calls: m.Counter("imbot_provider_calls_total",
			"Provider calls by outcome.", "provider", "outcome"),
		firstToken: m.Histogram("imbot_provider_first_token_seconds",
			"Time from sending a request to the first streamed sign of life.", metric.LatencyBuckets(), "provider"),
		tokens: m.Counter("imbot_provider_tokens_total",
			"Tokens providers reported, by kind (prompt, completion).", "provider", "kind"),
	}
}

func (m metrics) call(provider string, res core.ModelResult, err error, firstToken time.Duration) {
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

// outcomeLabel names how a call ended, for the calls counter.
func outcomeLabel(res core.ModelResult, err error) string {
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
