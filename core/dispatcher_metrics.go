package core

import (
	"time"

	"imbot/core/metric"
)

// dispatcherMetrics are the dispatcher's Prometheus series. The zero value
// (no meter) records nothing.
type dispatcherMetrics struct {
	on          bool
	messages    metric.CounterVec
	turns       metric.CounterVec
	turnLatency metric.HistogramVec
	queuedGauge metric.GaugeVec
	quiet       metric.CounterVec
	resends     metric.CounterVec
}

func newDispatcherMetrics(reg metric.Meter) dispatcherMetrics {
	if reg == nil {
		return dispatcherMetrics{}
	}
	return dispatcherMetrics{
		on:          true,
		messages:    reg.Counter("imbot_messages_total", "Inbound messages by outcome.", "outcome"),
		turns:       reg.Counter("imbot_turns_total", "Finished turns by route.", "route"),
		turnLatency: reg.Histogram("imbot_turn_seconds", "Time from turn start to final reply.", metric.LatencyBuckets(), "route"),
		queuedGauge: reg.Gauge("imbot_queued_turns", "Turns accepted and not yet finished."),
		quiet: reg.Counter("imbot_refusal_notices_dropped_total",
			"Refused messages that got no notice because the sender was told in this window.", "reason"),
		resends: reg.Counter("imbot_reply_resends_total",
			"Final replies whose send failed, by what became of them (sent, uncertain, gave_up).", "outcome"),
	}
}

func (m dispatcherMetrics) outcome(o string) {
	if m.on {
		m.messages.With(o).Inc()
	}
}

func (m dispatcherMetrics) ignored(reason string) { m.outcome("ignored_" + reason) }
func (m dispatcherMetrics) refused(r Refusal)     { m.outcome(string(r)) }
func (m dispatcherMetrics) duplicate()            { m.outcome("duplicate") }
func (m dispatcherMetrics) accepted()             { m.outcome("accepted") }

func (m dispatcherMetrics) resend(outcome string) {
	if m.on {
		m.resends.With(outcome).Inc()
	}
}

func (m dispatcherMetrics) noticeDropped(r Refusal) {
	if m.on {
		m.quiet.With(string(r)).Inc()
	}
}

func (m dispatcherMetrics) setQueued(n int64) {
	if m.on {
		m.queuedGauge.With().Set(float64(n))
	}
}

func (m dispatcherMetrics) turn(route Route, latency time.Duration) {
	if m.on {
		m.turns.With(string(route)).Inc()
		m.turnLatency.With(string(route)).Observe(latency.Seconds())
	}
}
