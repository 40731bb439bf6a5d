package web

import "imbot/core/metric"

// webMetrics are the adapter's Prometheus metrics.
type webMetrics struct {
	reg             metric.Meter
	messages        metric.CounterVec // by transport: ws, api
	errors          metric.CounterVec // by protocol error code
	slowDisconnects metric.Counter
}

func newWebMetrics(r metric.Meter) *webMetrics {
	return &webMetrics{
		reg: r,
		messages: r.Counter("imbot_web_messages_total",
			"User messages handed to the dispatcher, by transport (ws, api).", "transport"),
		errors: r.Counter("imbot_web_errors_total",
			"Requests and frames answered with an error, by protocol error code.", "code"),
		slowDisconnects: r.Counter("imbot_web_slow_disconnects_total",
			"WebSocket clients disconnected because they could not keep up.").With(),
	}
}

// watch exports the number of open WebSocket connections of h.
func (m *webMetrics) watch(h *hub) {
	m.reg.GaugeFunc("imbot_web_connections", "Open WebSocket connections.",
		func() float64 { return float64(h.connections()) })
}

func (m *webMetrics) rejected(code string) { m.errors.With(code).Inc() }
