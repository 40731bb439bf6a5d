// Package metric is the metrics interface every part of imbot reports
// through: a Meter creates labelled counter, gauge and histogram families,
// and Discard is the Meter that records nothing. The registry that exports
// them lives outside core; core and the packages that report metrics only
// see this interface.
package metric

// Meter creates metric families. A family is described up front by its
// name, help text and label names (and, for histograms, bucket bounds), so
// that any Prometheus-style implementation can back it. Asking twice for
// the same name and kind returns the same family. A Meter and the values it
// hands out are safe for concurrent use.
type Meter interface {
	// Counter returns the counter family name with the given label names.
	Counter(name, help string, labels ...string) CounterVec
	// Gauge returns the gauge family name with the given label names.
	Gauge(name, help string, labels ...string) GaugeVec
	// Histogram returns the histogram family name with the given ascending
	// bucket bounds and label names.
	Histogram(name, help string, buckets []float64, labels ...string) HistogramVec
	// GaugeFunc registers the series of gauge name with the given constant
	// labels (none for a gauge without labels) whose value is read from fn
	// when the metrics are collected. Series of one name must use the same
	// help and label names; the first fn registered for a series stays. fn
	// may be called from any goroutine and must return at once.
	GaugeFunc(name, help string, fn func() float64, labels ...Label)
}

// Label is a constant label of a gauge function's series.
type Label struct{ Name, Value string }

// CounterVec is a counter family; With takes one value per label name, in
// order.
type CounterVec interface {
	With(labelValues ...string) Counter
}

// Counter is one counter series; it only goes up.
type Counter interface {
	Inc()
	// Add adds d, which must not be negative.
	Add(d float64)
}

// GaugeVec is a gauge family; With takes one value per label name, in
// order.
type GaugeVec interface {
	With(labelValues ...string) Gauge
}

// Gauge is one gauge series.
type Gauge interface {
	Set(x float64)
	Inc()
	Add(d float64)
}

// HistogramVec is a histogram family; With takes one value per label name,
// in order.
type HistogramVec interface {
	With(labelValues ...string) Observer
}

// Observer is one histogram series.
type Observer interface {
	Observe(x float64)
}

// LatencyBuckets returns bucket bounds in seconds suited to chat latencies.
func LatencyBuckets() []float64 {
	return []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}
}

// Discard returns a Meter that records nothing, for defaults and tests.
func Discard() Meter { return discard{} }

type discard struct{}

func (discard) Counter(string, string, ...string) CounterVec { return discardCounters{} }
func (discard) Gauge(string, string, ...string) GaugeVec     { return discardGauges{} }
func (discard) Histogram(string, string, []float64, ...string) HistogramVec {
	return discardHistograms{}
}
func (discard) GaugeFunc(string, string, func() float64, ...Label) {}

type (
	discardCounters   struct{}
	discardGauges     struct{}
	discardHistograms struct{}
	discardValue      struct{}
)

func (discardCounters) With(...string) Counter    { return discardValue{} }
func (discardGauges) With(...string) Gauge        { return discardValue{} }
func (discardHistograms) With(...string) Observer { return discardValue{} }

func (discardValue) Inc()            {}
func (discardValue) Add(float64)     {}
func (discardValue) Set(float64)     {}
func (discardValue) Observe(float64) {}
