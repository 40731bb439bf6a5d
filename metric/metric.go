// Package metric is a small, dependency-free Prometheus registry: counters,
// gauges and histograms with labels, written in the text exposition format.
// A Registry implements core/metric's Meter, the interface everything else
// reports through; only the binary (and tests) construct one.
package metric

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	cmetric "imbot/core/metric"
)

var _ cmetric.Meter = (*Registry)(nil)

// Registry holds metric families and writes them for /metrics. It is safe
// for concurrent use; the zero value is not usable, call NewRegistry.
type Registry struct {
	mu       sync.Mutex
	families map[string]family
}

// family is one metric name with its children, written as one block.
type family interface {
	// typ is the family's TYPE: counter, gauge or histogram.
	typ() string
	write(w io.Writer) error
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{families: make(map[string]family)}
}

// register adds f under name and returns it, or returns the family already
// registered under name. Registering one name as two kinds of metric is a
// programming error and panics.
func register[F family](r *Registry, name string, f F) F {
	r.mu.Lock()
	defer r.mu.Unlock()
	old, ok := r.families[name]
	if !ok {
		r.families[name] = f
		return f
	}
	same, ok := old.(F)
	if !ok || old.typ() != f.typ() {
		panic(fmt.Sprintf("metric %s: registered twice as different kinds", name))
	}
	return same
}

// WriteText writes every family in the Prometheus text format, sorted by name.
func (r *Registry) WriteText(w io.Writer) error {
	r.mu.Lock()
	names := make([]string, 0, len(r.families))
	for n := range r.families {
		names = append(names, n)
	}
	fams := make([]family, len(names))
	sort.Strings(names)
	for i, n := range names {
		fams[i] = r.families[n]
	}
	r.mu.Unlock()
	for _, f := range fams {
		if err := f.write(w); err != nil {
			return err
		}
	}
	return nil
}

// ServeHTTP serves the registry as /metrics.
func (r *Registry) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_ = r.WriteText(w)
}

// vec is the labelled-children part shared by every metric kind.
type vec[T any] struct {
	name, help, kind string
	labels           []string
	newChild         func() *T
	mu               sync.Mutex
	children         map[string]*T
	order            []string
}

// with returns the child for values, creating it on first use.
func (v *vec[T]) with(values []string) *T {
	if len(values) != len(v.labels) {
		panic(fmt.Sprintf("metric %s: %d label values for %d labels", v.name, len(values), len(v.labels)))
	}
	key := strings.Join(values, "\xff")
	v.mu.Lock()
	defer v.mu.Unlock()
	c, ok := v.children[key]
	if !ok {
		c = v.newChild()
		v.children[key] = c
		v.order = append(v.order, key)
	}
	return c
}

// write writes the family's header and then each child, in label order,
// with line.
func (v *vec[T]) write(w io.Writer, line func(labels string, c *T) error) error {
	if _, err := fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", v.name, v.help, v.name, v.kind); err != nil {
		return err
	}
	v.mu.Lock()
	keys := append([]string(nil), v.order...)
	v.mu.Unlock()
	sort.Strings(keys)
	for _, k := range keys {
		v.mu.Lock()
		c := v.children[k]
		v.mu.Unlock()
		if err := line(labelText(v.labels, k), c); err != nil {
			return err
		}
	}
	return nil
}

// labelText renders a child's key as `name="value",…`.
func labelText(names []string, key string) string {
	if len(names) == 0 {
		return ""
	}
	values := strings.Split(key, "\xff")
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + `="` + escapeLabel(values[i]) + `"`
	}
	return strings.Join(parts, ",")
}

// labelEscaper escapes a label value as the text format requires: only
// backslash, double quote and line feed.
var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func escapeLabel(v string) string { return labelEscaper.Replace(v) }

// braces wraps labels and an extra label pair in {}, or returns "" for
// neither.
func braces(labels, extra string) string {
	switch {
	case labels == "" && extra == "":
		return ""
	case labels == "":
		return "{" + extra + "}"
	case extra == "":
		return "{" + labels + "}"
	}
	return "{" + labels + "," + extra + "}"
}

// Value is a float64 updated atomically: the value of one counter or gauge.
type Value struct{ bits atomic.Uint64 }

// Add adds d (which must be non-negative for counters).
func (v *Value) Add(d float64) {
	for {
		old := v.bits.Load()
		if v.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+d)) {
			return
		}
	}
}

// Inc adds 1.
func (v *Value) Inc() { v.Add(1) }

// Set replaces the value (gauges only).
func (v *Value) Set(x float64) { v.bits.Store(math.Float64bits(x)) }

// Get returns the current value.
func (v *Value) Get() float64 { return math.Float64frombits(v.bits.Load()) }

// valueVec is a counter or gauge family with labels.
type valueVec struct{ v *vec[Value] }

// counterVec and gaugeVec give a valueVec the With of each interface.
type (
	counterVec struct{ valueVec }
	gaugeVec   struct{ valueVec }
)

func (c counterVec) With(labelValues ...string) cmetric.Counter { return c.v.with(labelValues) }
func (g gaugeVec) With(labelValues ...string) cmetric.Gauge     { return g.v.with(labelValues) }

func (c valueVec) typ() string { return c.v.kind }

func (c valueVec) write(w io.Writer) error {
	return c.v.write(w, func(labels string, x *Value) error {
		_, err := fmt.Fprintf(w, "%s%s %s\n", c.v.name, braces(labels, ""), formatFloat(x.Get()))
		return err
	})
}

func (r *Registry) valueVec(kind, name, help string, labels []string) valueVec {
	f := valueVec{&vec[Value]{name: name, help: help, kind: kind, labels: labels,
		newChild: func() *Value { return new(Value) }, children: map[string]*Value{}}}
	return register(r, name, f)
}

// Counter returns the counter family name, creating it on first use.
func (r *Registry) Counter(name, help string, labels ...string) cmetric.CounterVec {
	return counterVec{r.valueVec("counter", name, help, labels)}
}

// Gauge returns the gauge family name, creating it on first use.
func (r *Registry) Gauge(name, help string, labels ...string) cmetric.GaugeVec {
	return gaugeVec{r.valueVec("gauge", name, help, labels)}
}

// Value returns the current value of the counter or gauge series name with
// the given label values, and whether that series exists. It is meant for
// tests and diagnostics.
func (r *Registry) Value(name string, labelValues ...string) (float64, bool) {
	r.mu.Lock()
	f, ok := r.families[name].(valueVec)
	r.mu.Unlock()
	if !ok || len(labelValues) != len(f.v.labels) {
		return 0, false
	}
	f.v.mu.Lock()
	defer f.v.mu.Unlock()
	x, ok := f.v.children[strings.Join(labelValues, "\xff")]
	if !ok {
		return 0, false
	}
	return x.Get(), true
}

// gaugeFunc is a gauge without labels read from fn when written.
type gaugeFunc struct {
	name, help string
	fn         func() float64
}

func (gaugeFunc) typ() string { return "gauge" }

func (g gaugeFunc) write(w io.Writer) error {
	_, err := fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", g.name, g.help, g.name, g.name, formatFloat(g.fn()))
	return err
}

// GaugeFunc registers a gauge whose value is read from fn at scrape time.
// The first fn registered under a name stays.
func (r *Registry) GaugeFunc(name, help string, fn func() float64) {
	register(r, name, gaugeFunc{name, help, fn})
}

// Histogram is one histogram child: cumulative bucket counts, sum and count.
type Histogram struct {
	bounds []float64
	counts []atomic.Uint64
	sum    Value
	count  atomic.Uint64
}

// Observe records one observation.
func (h *Histogram) Observe(x float64) {
	i := sort.SearchFloat64s(h.bounds, x)
	h.counts[i].Add(1)
	h.sum.Add(x)
	h.count.Add(1)
}

// histogramVec is a histogram family with labels.
type histogramVec struct{ v *vec[Histogram] }

// With returns the child for the given label values, in label order.
func (h histogramVec) With(labelValues ...string) cmetric.Observer { return h.v.with(labelValues) }

func (h histogramVec) typ() string { return h.v.kind }

func (h histogramVec) write(w io.Writer) error {
	return h.v.write(w, func(labels string, x *Histogram) error {
		var cum uint64
		for i, b := range x.bounds {
			cum += x.counts[i].Load()
			if _, err := fmt.Fprintf(w, "%s_bucket%s %d\n", h.v.name, braces(labels, `le="`+formatFloat(b)+`"`), cum); err != nil {
				return err
			}
		}
		cum += x.counts[len(x.bounds)].Load()
		_, err := fmt.Fprintf(w, "%s_bucket%s %d\n%s_sum%s %s\n%s_count%s %d\n",
			h.v.name, braces(labels, `le="+Inf"`), cum,
			h.v.name, braces(labels, ""), formatFloat(x.sum.Get()),
			h.v.name, braces(labels, ""), x.count.Load())
		return err
	})
}

// Histogram returns the histogram family name with the given (ascending)
// bucket bounds, creating it on first use.
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) cmetric.HistogramVec {
	bounds := append([]float64(nil), buckets...)
	f := histogramVec{&vec[Histogram]{name: name, help: help, kind: "histogram", labels: labels,
		newChild: func() *Histogram {
			return &Histogram{bounds: bounds, counts: make([]atomic.Uint64, len(bounds)+1)}
		}, children: map[string]*Histogram{}}}
	return register(r, name, f)
}

// formatFloat writes x as the text format wants it (+Inf, -Inf, shortest).
func formatFloat(x float64) string {
	switch {
	case math.IsInf(x, 1):
		return "+Inf"
	case math.IsInf(x, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}
