package storage

import (
	"time"

	"imbot/core/metric"
)

// writeOps are the writes Metrics times and counts failures of, by the op
// label every backend uses.
var writeOps = []string{"accept", "complete", "drop", "reset", "cursor", "unanswered", "usage", "vector",
	"keep_answer", "reply_ref", "bot_messages", "state", "vote"}

// Metrics reports a store's writes, accepts and sweeps with the same
// series and labels for every backend: imbot_store_write_seconds{op},
// imbot_store_write_errors_total{op}, imbot_store_accepts_total{result}
// and imbot_store_swept_total{kind}. Children are resolved once, so the
// hot path does no label lookups. The zero value records nothing; a
// Metrics is safe for concurrent use.
type Metrics struct {
	writes   map[string]metric.Observer
	failures map[string]metric.Counter
	accepted metric.Counter
	dupes    metric.Counter
	swept    metric.CounterVec
	enabled  bool
}

// NewMetrics creates the store's series on m; nil records nothing. Every
// write error series exists from the start, at 0.
func NewMetrics(m metric.Meter) Metrics {
	if m == nil {
		return Metrics{}
	}
	h := m.Histogram("imbot_store_write_seconds",
		"Time from queuing a store write to its durable commit.", metric.LatencyBuckets(), "op")
	errs := m.Counter("imbot_store_write_errors_total", "Store writes that failed, by operation.", "op")
	ms := Metrics{writes: make(map[string]metric.Observer, len(writeOps)),
		failures: make(map[string]metric.Counter, len(writeOps)+1), enabled: true}
	for _, op := range writeOps {
		ms.writes[op] = h.With(op)
	}
	for _, op := range append(writeOps, "sweep") {
		ms.failures[op] = errs.With(op)
	}
	accepts := m.Counter("imbot_store_accepts_total", "Envelopes offered to the inbox, by result.", "result")
	ms.accepted = accepts.With("accepted")
	ms.dupes = accepts.With("duplicate")
	ms.swept = m.Counter("imbot_store_swept_total", "Records removed by retention sweeps, by kind.", "kind")
	return ms
}

// ObserveWrite records that a write of op took d; ops outside writeOps
// are not recorded.
func (m Metrics) ObserveWrite(op string, d time.Duration) {
	if h := m.writes[op]; h != nil {
		h.Observe(d.Seconds())
	}
}

// Failed counts a write of op (one of writeOps, or "sweep") that returned
// err, when err is not nil.
func (m Metrics) Failed(op string, err error) {
	if c := m.failures[op]; c != nil && err != nil {
		c.Inc()
	}
}

// Accepted counts an envelope offered to the inbox: fresh, or a duplicate.
func (m Metrics) Accepted(fresh bool) {
	switch {
	case !m.enabled:
	case fresh:
		m.accepted.Inc()
	default:
		m.dupes.Inc()
	}
}

// Swept counts what a sweep removed, by kind.
func (m Metrics) Swept(st SweepStats) {
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
	m.swept.With("turn").Add(float64(st.Turns))
}
