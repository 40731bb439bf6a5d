package store

import (
	"time"

	"imbot/core/metric"
)

// storeMetrics holds the children resolved once at Open, so the hot path does
// no label lookups. The zero value (no meter) records nothing.
type storeMetrics struct {
	writes   map[string]metric.Observer
	failures map[string]metric.Counter
	accepted metric.Counter
	dupes    metric.Counter
	swept    metric.CounterVec
	enabled  bool
}

func newStoreMetrics(r metric.Meter) storeMetrics {
	if r == nil {
		return storeMetrics{}
	}
	h := r.Histogram("imbot_store_write_seconds",
		"Time from queuing a store write to its durable commit.", metric.LatencyBuckets(), "op")
	ops := []string{"accept", "complete", "drop", "reset", "cursor", "unanswered", "usage", "vector",
		"keep_answer", "reply_ref", "bot_messages"}
	errs := r.Counter("imbot_store_write_errors_total", "Store writes that failed, by operation.", "op")
	m := storeMetrics{writes: make(map[string]metric.Observer, len(ops)),
		failures: make(map[string]metric.Counter, len(ops)+1), enabled: true}
	for _, op := range ops {
		m.writes[op] = h.With(op)
	}
	for _, op := range append(ops, "sweep") {
		m.failures[op] = errs.With(op)
	}
	accepts := r.Counter("imbot_store_accepts_total", "Envelopes offered to the inbox, by result.", "result")
	m.accepted = accepts.With("accepted")
	m.dupes = accepts.With("duplicate")
	m.swept = r.Counter("imbot_store_swept_total", "Records removed by retention sweeps, by kind.", "kind")
	return m
}

func (m storeMetrics) observeWrite(op string, d time.Duration) {
	if h := m.writes[op]; h != nil {
		h.Observe(d.Seconds())
	}
}

// failed counts a write of op that returned err, when err is not nil.
func (m storeMetrics) failed(op string, err error) {
	if c := m.failures[op]; c != nil && err != nil {
		c.Inc()
	}
}

func (m storeMetrics) accept(fresh bool) {
	switch {
	case !m.enabled:
	case fresh:
		m.accepted.Inc()
	default:
		m.dupes.Inc()
	}
}

func (m storeMetrics) sweep(st SweepStats) {
	if !m.enabled {
		return
	}
	m.swept.With("dedup").Add(float64(st.DedupMarks))
	m.swept.With("conversation").Add(float64(st.Conversations))
	m.swept.With("message").Add(float64(st.Messages))
	m.swept.With("unanswered").Add(float64(st.Unanswered))
	m.swept.With("usage").Add(float64(st.Usage))
	m.swept.With("bot_message").Add(float64(st.BotMessages))
	m.swept.With("vector").Add(float64(st.Vectors))
}
