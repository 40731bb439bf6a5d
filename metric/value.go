package metric

import (
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// Value returns the current value of the counter or gauge series name with
// the given label values (in the order the family declared its labels), and
// whether that series exists. It creates no series. It is meant for tests
// and diagnostics.
func (r *Registry) Value(name string, labelValues ...string) (float64, bool) {
	r.mu.Lock()
	f, ok := r.families[name]
	r.mu.Unlock()
	if !ok || f.kind == kindHistogram || len(labelValues) != len(f.labels) {
		return 0, false
	}
	want := make(map[string]string, len(f.labels))
	for i, n := range f.labels {
		want[n] = labelValues[i]
	}
	ch := make(chan prometheus.Metric)
	go func() {
		defer close(ch)
		f.series.Collect(ch)
	}()
	var value float64
	found := false
	for m := range ch {
		var d dto.Metric
		if err := m.Write(&d); err == nil && hasLabels(&d, want) {
			value, found = d.GetCounter().GetValue()+d.GetGauge().GetValue(), true
		}
	}
	return value, found
}

// hasLabels reports whether m's labels are exactly want.
func hasLabels(m *dto.Metric, want map[string]string) bool {
	if len(m.GetLabel()) != len(want) {
		return false
	}
	for _, l := range m.GetLabel() {
		if v, ok := want[l.GetName()]; !ok || v != l.GetValue() {
			return false
		}
	}
	return true
}
