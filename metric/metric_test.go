package metric

import (
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	cmetric "imbot/core/metric"
)

// scrape serves r as /metrics and parses the answer with the Prometheus
// text parser.
func scrape(t *testing.T, r *Registry) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type = %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return mfs
}

// labels returns m's labels as a map.
func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

func TestMetricsParseAndHoldRuntimeProcessAndBuildInfo(t *testing.T) {
	r := NewRegistry(WithBuildInfo("v1.2.3"))
	mfs := scrape(t, r)
	for name, typ := range map[string]dto.MetricType{
		"go_goroutines":                 dto.MetricType_GAUGE,
		"go_memstats_heap_inuse_bytes":  dto.MetricType_GAUGE,
		"go_gc_duration_seconds":        dto.MetricType_SUMMARY,
		"process_resident_memory_bytes": dto.MetricType_GAUGE,
		"process_cpu_seconds_total":     dto.MetricType_COUNTER,
		"process_open_fds":              dto.MetricType_GAUGE,
		"process_max_fds":               dto.MetricType_GAUGE,
		"process_start_time_seconds":    dto.MetricType_GAUGE,
		"imbot_build_info":              dto.MetricType_GAUGE,
	} {
		mf, ok := mfs[name]
		if !ok {
			t.Errorf("/metrics lacks %s", name)
			continue
		}
		if mf.GetType() != typ {
			t.Errorf("%s is a %s, want %s", name, mf.GetType(), typ)
		}
	}
	if rss := mfs["process_resident_memory_bytes"].GetMetric()[0].GetGauge().GetValue(); rss < 1<<20 {
		t.Errorf("process_resident_memory_bytes = %v, want at least 1 MiB", rss)
	}
	info := mfs["imbot_build_info"].GetMetric()
	want := map[string]string{"version": "v1.2.3", "goversion": runtime.Version()}
	if len(info) != 1 || info[0].GetGauge().GetValue() != 1 || !equal(labels(info[0]), want) {
		t.Errorf("imbot_build_info = %v, want one series %v = 1", info, want)
	}
}

func equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestRegistryWritesCountersGaugesAndHistograms(t *testing.T) {
	r := NewRegistry()
	turns := r.Counter("imbot_turns_total", "Turns by route.", "route")
	turns.With("faq").Inc()
	turns.With("model").Add(2)
	r.Gauge("imbot_queued", "Queued turns.").With().Set(3)
	r.GaugeFunc("imbot_up", "Always 1.", func() float64 { return 1 })
	h := r.Histogram("imbot_latency_seconds", "Latency.", []float64{0.1, 1}, "route")
	for _, x := range []float64{0.05, 0.5, 5} {
		h.With("model").Observe(x)
	}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# HELP imbot_latency_seconds Latency.\n# TYPE imbot_latency_seconds histogram\n",
		`imbot_latency_seconds_bucket{route="model",le="0.1"} 1` + "\n",
		`imbot_latency_seconds_bucket{route="model",le="1"} 2` + "\n",
		`imbot_latency_seconds_bucket{route="model",le="+Inf"} 3` + "\n",
		`imbot_latency_seconds_sum{route="model"} 5.55` + "\n",
		`imbot_latency_seconds_count{route="model"} 3` + "\n",
		"# TYPE imbot_queued gauge\nimbot_queued 3\n",
		`imbot_turns_total{route="faq"} 1` + "\n",
		`imbot_turns_total{route="model"} 2` + "\n",
		"# TYPE imbot_up gauge\nimbot_up 1\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, b.String())
		}
	}
}

func TestGaugeFuncSeriesByLabel(t *testing.T) {
	r := NewRegistry()
	up := map[string]float64{"web": 1, "telegram": 0}
	for p := range up {
		r.GaugeFunc("imbot_adapter_connected", "Connected.", func() float64 { return up[p] },
			cmetric.Label{Name: "platform", Value: p})
	}
	r.GaugeFunc("imbot_adapter_connected", "Connected.", func() float64 { return 7 },
		cmetric.Label{Name: "platform", Value: "web"})
	got := map[string]float64{}
	for _, m := range scrape(t, r)["imbot_adapter_connected"].GetMetric() {
		got[labels(m)["platform"]] = m.GetGauge().GetValue()
	}
	if len(got) != 2 || got["web"] != 1 || got["telegram"] != 0 {
		t.Errorf("imbot_adapter_connected = %v, want web 1 (the first function stays), telegram 0", got)
	}
	if v, ok := r.Value("imbot_adapter_connected", "web"); !ok || v != 1 {
		t.Errorf("Value(imbot_adapter_connected, web) = %v, %t; want 1, true", v, ok)
	}
}

func TestRegistryReturnsTheSameFamily(t *testing.T) {
	r := NewRegistry()
	r.Counter("c", "help", "l").With("x").Inc()
	r.Counter("c", "other help", "l").With("x").Inc()
	if v, _ := r.Value("c", "x"); v != 2 {
		t.Fatalf("value = %v, want both increments on one series", v)
	}
}

func TestLabelValuesAreQuoted(t *testing.T) {
	r := NewRegistry()
	const odd = "a\"b\\c\n飞书\t"
	r.Counter("c", "h", "provider").With(odd).Inc()
	ms := scrape(t, r)["c"].GetMetric()
	if len(ms) != 1 || labels(ms[0])["provider"] != odd || ms[0].GetCounter().GetValue() != 1 {
		t.Fatalf("c = %v, want one series provider=%q", ms, odd)
	}
}

func TestConcurrentUpdates(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("c", "h", "k")
	h := r.Histogram("h", "h", cmetric.LatencyBuckets())
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range 1000 {
				c.With("a").Inc()
				h.With().Observe(0.2)
				if i%100 == 0 {
					var b strings.Builder
					if err := r.WriteText(&b); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	if v, _ := r.Value("c", "a"); v != 8000 {
		t.Fatalf("counter = %v, want 8000", v)
	}
}

func TestRegisteringOneNameTwiceWrongPanics(t *testing.T) {
	tests := []struct {
		name   string
		second func(r *Registry)
	}{
		{"gauge over counter", func(r *Registry) { r.Gauge("x", "h") }},
		{"histogram over counter", func(r *Registry) { r.Histogram("x", "h", cmetric.LatencyBuckets()) }},
		{"gauge func over counter", func(r *Registry) { r.GaugeFunc("x", "h", func() float64 { return 0 }) }},
		{"gauge func with other labels", func(r *Registry) {
			r.GaugeFunc("f", "h", func() float64 { return 0 }, cmetric.Label{Name: "a", Value: "1"})
			r.GaugeFunc("f", "h", func() float64 { return 0 }, cmetric.Label{Name: "b", Value: "1"})
		}},
		{"a runtime collector's name", func(r *Registry) { r.Gauge("go_goroutines", "h") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRegistry()
			r.Counter("x", "h")
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			tt.second(r)
		})
	}
}

func TestValueFindsOnlyExistingSeries(t *testing.T) {
	r := NewRegistry()
	r.Gauge("g", "h", "k", "l").With("a", "b").Set(4)
	r.Histogram("h", "h", cmetric.LatencyBuckets()).With().Observe(1)
	if v, ok := r.Value("g", "a", "b"); !ok || v != 4 {
		t.Errorf("Value(g, a, b) = %v, %t; want 4, true", v, ok)
	}
	for _, labels := range [][]string{{"b", "a"}, {"a"}, {}, {"a", "b", "c"}} {
		if _, ok := r.Value("g", labels...); ok {
			t.Errorf("Value(g, %q) found a series", labels)
		}
	}
	if _, ok := r.Value("missing"); ok {
		t.Error("Value found a family never registered")
	}
	if _, ok := r.Value("h"); ok {
		t.Error("Value read a histogram")
	}
	if _, ok := r.Value("g", "b", "a"); ok {
		t.Error("Value created the series it looked for")
	}
}
