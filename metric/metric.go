// Package metric implements core/metric's Meter over
// prometheus/client_golang: a Registry owns a prometheus.Registry of its own
// (never the global default), adds the Go runtime and process collectors,
// and serves everything in the Prometheus text format. Only the binary (and
// tests) construct one; everything else reports through the interface.
package metric

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"

	cmetric "imbot/core/metric"
)

var _ cmetric.Meter = (*Registry)(nil)

// kind is what a family is: counter, gauge, histogram or gauge function.
type kind string

const (
	kindCounter   kind = "counter"
	kindGauge     kind = "gauge"
	kindHistogram kind = "histogram"
	kindGaugeFunc kind = "gauge function"
)

// Registry holds metric families and serves them for /metrics. It is safe
// for concurrent use; the zero value is not usable, call NewRegistry.
type Registry struct {
	reg     *prometheus.Registry
	handler http.Handler

	mu       sync.Mutex
	families map[string]*family
}

// family is one metric name: its kind, label names in declaration order,
// and what collects its series.
type family struct {
	kind   kind
	labels []string
	// series is the vec for counters, gauges and histograms, or the
	// gaugeFuncs of a gauge function family.
	series collector
}

// collector is the part of prometheus.Collector that Value reads from.
type collector interface {
	Collect(ch chan<- prometheus.Metric)
}

// Option configures a Registry.
type Option func(*Registry)

// WithBuildInfo adds imbot_build_info{version,goversion}, always 1, with
// the binary's version and the Go version it was built with.
func WithBuildInfo(version string) Option {
	return func(r *Registry) {
		r.Gauge("imbot_build_info", "Always 1; labelled with the binary's version and Go version.",
			"version", "goversion").With(version, runtime.Version()).Set(1)
	}
}

// NewRegistry returns a registry holding the Go runtime (go_*) and process
// (process_*) collectors.
func NewRegistry(opts ...Option) *Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	r := &Registry{
		reg:      reg,
		handler:  promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
		families: make(map[string]*family),
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

// ServeHTTP serves the registry as /metrics.
func (r *Registry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.handler.ServeHTTP(w, req)
}

// WriteText writes every family in the Prometheus text format, sorted by
// name.
func (r *Registry) WriteText(w io.Writer) error {
	mfs, err := r.reg.Gather()
	if err != nil {
		return fmt.Errorf("metric: gather: %w", err)
	}
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return fmt.Errorf("metric: encode %s: %w", mf.GetName(), err)
		}
	}
	return nil
}

// family returns the family name, registering the one build makes when
// the name is new. Asking for a name registered as another kind is a
// programming error and panics.
func (r *Registry) family(name string, k kind, labels []string, build func() collector) *family {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f, ok := r.families[name]; ok {
		if f.kind != k {
			panic(fmt.Sprintf("metric %s: registered as a %s, asked for as a %s", name, f.kind, k))
		}
		return f
	}
	f := &family{kind: k, labels: labels, series: build()}
	if c, ok := f.series.(prometheus.Collector); ok {
		r.reg.MustRegister(c)
	}
	r.families[name] = f
	return f
}

// Counter returns the counter family name, creating it on first use.
func (r *Registry) Counter(name, help string, labels ...string) cmetric.CounterVec {
	f := r.family(name, kindCounter, labels, func() collector {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	})
	return counterVec{f.series.(*prometheus.CounterVec)}
}

// Gauge returns the gauge family name, creating it on first use.
func (r *Registry) Gauge(name, help string, labels ...string) cmetric.GaugeVec {
	f := r.family(name, kindGauge, labels, func() collector {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	})
	return gaugeVec{f.series.(*prometheus.GaugeVec)}
}

// Histogram returns the histogram family name with the given ascending
// bucket bounds, creating it on first use. Its series carry no exemplars.
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) cmetric.HistogramVec {
	f := r.family(name, kindHistogram, labels, func() collector {
		opts := prometheus.HistogramOpts{Name: name, Help: help, Buckets: append([]float64(nil), buckets...)}
		return prometheus.NewHistogramVec(opts, labels)
	})
	return histogramVec{f.series.(*prometheus.HistogramVec)}
}

// GaugeFunc registers a series of gauge name read from fn at scrape time.
// The first fn registered for a name and label values stays; series of one
// name with other label names panic.
func (r *Registry) GaugeFunc(name, help string, fn func() float64, labels ...cmetric.Label) {
	names, values := splitLabels(labels)
	f := r.family(name, kindGaugeFunc, names, func() collector { return &gaugeFuncs{} })
	if strings.Join(f.labels, "\xff") != strings.Join(names, "\xff") {
		panic(fmt.Sprintf("metric %s: label names %q, registered with %q", name, names, f.labels))
	}
	g := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help, ConstLabels: constLabels(labels)}, fn)
	if f.series.(*gaugeFuncs).add(strings.Join(values, "\xff"), g) {
		r.reg.MustRegister(g)
	}
}

// splitLabels returns the names and the values of labels, in order.
func splitLabels(labels []cmetric.Label) (names, values []string) {
	for _, l := range labels {
		names = append(names, l.Name)
		values = append(values, l.Value)
	}
	return names, values
}

// constLabels returns labels as client_golang's constant labels, or nil.
func constLabels(labels []cmetric.Label) prometheus.Labels {
	if len(labels) == 0 {
		return nil
	}
	out := make(prometheus.Labels, len(labels))
	for _, l := range labels {
		out[l.Name] = l.Value
	}
	return out
}

// gaugeFuncs are the series of one gauge function family, by label values.
type gaugeFuncs struct {
	mu     sync.Mutex
	series map[string]prometheus.GaugeFunc
}

// add keeps g under key unless a series has it already, and reports
// whether it did.
func (g *gaugeFuncs) add(key string, s prometheus.GaugeFunc) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.series[key]; ok {
		return false
	}
	if g.series == nil {
		g.series = make(map[string]prometheus.GaugeFunc)
	}
	g.series[key] = s
	return true
}

// Collect sends every series.
func (g *gaugeFuncs) Collect(ch chan<- prometheus.Metric) {
	g.mu.Lock()
	series := make([]prometheus.GaugeFunc, 0, len(g.series))
	for _, s := range g.series {
		series = append(series, s)
	}
	g.mu.Unlock()
	for _, s := range series {
		s.Collect(ch)
	}
}

// counterVec, gaugeVec and histogramVec give client_golang's vecs the With
// of core/metric's interfaces.
type (
	counterVec   struct{ v *prometheus.CounterVec }
	gaugeVec     struct{ v *prometheus.GaugeVec }
	histogramVec struct{ v *prometheus.HistogramVec }
)

func (c counterVec) With(labelValues ...string) cmetric.Counter {
	return c.v.WithLabelValues(labelValues...)
}

func (g gaugeVec) With(labelValues ...string) cmetric.Gauge {
	return g.v.WithLabelValues(labelValues...)
}

func (h histogramVec) With(labelValues ...string) cmetric.Observer {
	return h.v.WithLabelValues(labelValues...)
}
