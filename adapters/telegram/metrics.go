package telegram

import (
	"time"

	"imbot/core/metric"
)

// metrics are the adapter's Prometheus series.
type metrics struct {
	updates   metric.CounterVec   // by kind
	delivered metric.CounterVec   // by outcome
	calls     metric.CounterVec   // by method and outcome
	latency   metric.HistogramVec // by method
	offset    metric.GaugeVec
	webhook   metric.CounterVec // rejected webhook requests, by reason
}

func newMetrics(reg metric.Meter) *metrics {
	return &metrics{
		updates: reg.Counter("imbot_telegram_updates_total",
			"Updates received, by kind (message, edited, notice, ignored, undecodable, duplicate).", "kind"),
		delivered: reg.Counter("imbot_telegram_deliveries_total",
			"Messages handed to the dispatcher, by outcome (ok, error).", "outcome"),
		calls: reg.Counter("imbot_telegram_api_calls_total",
			"Bot API calls, by method and outcome (ok, error, rate_limited, plain_fallback, uncertain).", "method", "outcome"),
		latency: reg.Histogram("imbot_telegram_api_latency_seconds",
			"Bot API call latency, by method.", metric.LatencyBuckets(), "method"),
		offset: reg.Gauge("imbot_telegram_offset",
			"Last update id delivered and saved (polling mode)."),
		webhook: reg.Counter("imbot_telegram_webhook_rejected_total",
			"Webhook requests refused, by reason (secret, method, body, not_running).", "reason"),
	}
}

func (m *metrics) call(method, outcome string, took time.Duration) {
	m.calls.With(method, outcome).Inc()
	m.latency.With(method).Observe(took.Seconds())
}
