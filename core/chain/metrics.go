package chain

import "imbot/core/metric"

// metrics holds the chain's metric families.
type metrics struct {
	retries   metric.CounterVec
	failovers metric.CounterVec
	breaker   metric.GaugeVec
	opened    metric.CounterVec
}

func newMetrics(m metric.Meter) metrics {
	return metrics{
		retries: m.Counter("imbot_provider_retries_total",
			"Retries of a failed call on the same provider.", "provider"),
		failovers: m.Counter("imbot_provider_failovers_total",
			"Hand-overs from a failed provider to the next one in a chain.", "chain", "provider"),
		breaker: m.Gauge("imbot_provider_breaker_state",
			"Circuit breaker state: 0 closed, 1 open, 2 half open.", "provider"),
		opened: m.Counter("imbot_provider_breaker_opened_total",
			"Circuit breaker openings, by reason: failure_ratio (enough turns from enough conversations failed) or probe_failed.",
			"provider", "reason"),
	}
}

func (m metrics) retry(provider string) { m.retries.With(provider).Inc() }

func (m metrics) failover(chain, provider string) { m.failovers.With(chain, provider).Inc() }

func (m metrics) breakerState(provider string, s State) { m.breaker.With(provider).Set(float64(s)) }

func (m metrics) breakerOpened(provider, reason string) { m.opened.With(provider, reason).Inc() }
