package core

import "imbot/core/metric"

// routerMetrics are the router's Prometheus series. The zero value (no
// meter) records nothing.
type routerMetrics struct {
	on           bool
	tiers        metric.CounterVec
	unanswer     metric.CounterVec
	interruption metric.CounterVec
}

func newRouterMetrics(reg metric.Meter) routerMetrics {
	if reg == nil {
		return routerMetrics{}
	}
	return routerMetrics{
		on:           true,
		tiers:        reg.Counter("imbot_router_tier_total", "Questions by knowledge base tier.", "tier"),
		unanswer:     reg.Counter("imbot_unanswered_total", "Questions added to the unanswered queue.", "reason"),
		interruption: reg.Counter("imbot_replies_interrupted_total", "Replies whose model stream broke after text was sent."),
	}
}

func (m routerMetrics) tier(t Tier) {
	if m.on {
		m.tiers.With(t.String()).Inc()
	}
}

func (m routerMetrics) unanswered(reason string) {
	if m.on {
		m.unanswer.With(reason).Inc()
	}
}

func (m routerMetrics) interrupted() {
	if m.on {
		m.interruption.With().Inc()
	}
}
