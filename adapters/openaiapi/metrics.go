package openaiapi

import (
	"strconv"
	"time"

	"imbot/core"
	"imbot/core/metric"
)

// metrics are the API's own series; the router reports its tiers, chains
// and unanswered questions as it does for chats.
type metrics struct {
	requests metric.CounterVec
	latency  metric.HistogramVec
}

func newMetrics(reg metric.Meter) metrics {
	if reg == nil {
		reg = metric.Discard()
	}
	return metrics{
		requests: reg.Counter("imbot_api_requests_total", "OpenAI-compatible API requests, by HTTP status.", "code"),
		latency: reg.Histogram("imbot_api_request_seconds", "Time to answer an API chat completion, by route.",
			metric.LatencyBuckets(), "route"),
	}
}

// request counts one chat completion request.
func (m metrics) request(status int, route core.Route, d time.Duration) {
	m.requests.With(strconv.Itoa(status)).Inc()
	if route != "" {
		m.latency.With(string(route)).Observe(d.Seconds())
	}
}
