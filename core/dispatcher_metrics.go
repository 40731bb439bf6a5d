package core

import (
	"context"
	"time"

	"imbot/core/metric"
)

// dispatcherMetrics are the dispatcher's Prometheus series. The zero value
// (no meter) records nothing.
type dispatcherMetrics struct {
	meter       metric.Meter
	messages    metric.CounterVec
	turns       metric.CounterVec
	turnLatency metric.HistogramVec
	queuedGauge metric.GaugeVec
	quiet       metric.CounterVec
	resends     metric.CounterVec
}

// newDispatcherMetrics makes the dispatcher's families on reg and sets
// imbot_queued_turns_limit to maxQueued.
func newDispatcherMetrics(reg metric.Meter, maxQueued int) dispatcherMetrics {
	if reg == nil {
		return dispatcherMetrics{}
	}
	reg.Gauge("imbot_queued_turns_limit", "Turns that may be queued ([dispatcher] max_queued).").With().Set(float64(maxQueued))
	return dispatcherMetrics{
		meter:    reg,
		messages: reg.Counter("imbot_messages_total", "Inbound messages by platform and outcome.", "platform", "outcome"),
		turns:    reg.Counter("imbot_turns_total", "Finished turns by platform and route.", "platform", "route"),
		turnLatency: reg.Histogram("imbot_turn_seconds", "Time from turn start to final reply, by platform and route.",
			metric.LatencyBuckets(), "platform", "route"),
		queuedGauge: reg.Gauge("imbot_queued_turns", "Turns accepted and not yet finished."),
		quiet: reg.Counter("imbot_refusal_notices_dropped_total",
			"Refused messages that got no notice because the sender was told in this window.", "reason"),
		resends: reg.Counter("imbot_reply_resends_total",
			"Final replies whose send failed, by what became of them (sent, uncertain, gave_up).", "outcome"),
	}
}

func (m dispatcherMetrics) outcome(p Platform, o string) {
	if m.meter != nil {
		m.messages.With(string(p), o).Inc()
	}
}

func (m dispatcherMetrics) ignored(p Platform, reason string) { m.outcome(p, "ignored_"+reason) }
func (m dispatcherMetrics) refused(p Platform, r Refusal)     { m.outcome(p, string(r)) }
func (m dispatcherMetrics) duplicate(p Platform)              { m.outcome(p, "duplicate") }
func (m dispatcherMetrics) accepted(p Platform)               { m.outcome(p, "accepted") }

func (m dispatcherMetrics) resend(outcome string) {
	if m.meter != nil {
		m.resends.With(outcome).Inc()
	}
}

func (m dispatcherMetrics) noticeDropped(r Refusal) {
	if m.meter != nil {
		m.quiet.With(string(r)).Inc()
	}
}

func (m dispatcherMetrics) setQueued(n int64) {
	if m.meter != nil {
		m.queuedGauge.With().Set(float64(n))
	}
}

func (m dispatcherMetrics) turn(p Platform, route Route, latency time.Duration) {
	if m.meter != nil {
		m.turns.With(string(p), string(route)).Inc()
		m.turnLatency.With(string(p), string(route)).Observe(latency.Seconds())
	}
}

// adapterCheckTimeout bounds one adapter's Check when the metrics are collected.
const adapterCheckTimeout = 2 * time.Second

// watchAdapters reports every adapter that is a Checker as
// imbot_adapter_connected{platform}: 1 while its Check passes (the verdict
// /readyz gives), else 0, read at each scrape.
func (m dispatcherMetrics) watchAdapters(adapters []Adapter) {
	if m.meter == nil {
		return
	}
	for _, a := range adapters {
		c, ok := a.(Checker)
		if !ok {
			continue
		}
		m.meter.GaugeFunc("imbot_adapter_connected", "1 while the adapter can receive messages, else 0.",
			func() float64 { return adapterConnected(c) }, metric.Label{Name: "platform", Value: string(a.Name())})
	}
}

// adapterConnected is 1 when c's Check passes, else 0.
func adapterConnected(c Checker) float64 {
	ctx, cancel := context.WithTimeout(context.Background(), adapterCheckTimeout)
	defer cancel()
	if c.Check(ctx) != nil {
		return 0
	}
	return 1
}
