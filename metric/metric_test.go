package metric

import (
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	cmetric "imbot/core/metric"
)

func TestRegistryWritesTextFormat(t *testing.T) {
	r := NewRegistry()
	turns := r.Counter("imbot_turns_total", "Turns by route.", "route")
	turns.With("faq").Inc()
	turns.With("model").Add(2)
	r.Gauge("imbot_queued", "Queued turns.").With().Set(3)
	r.GaugeFunc("imbot_up", "Always 1.", func() float64 { return 1 })
	h := r.Histogram("imbot_latency_seconds", "Latency.", []float64{0.1, 1}, "route")
	h.With("model").Observe(0.05)
	h.With("model").Observe(0.5)
	h.With("model").Observe(5)

	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	got := rec.Body.String()
	want := `# HELP imbot_latency_seconds Latency.
# TYPE imbot_latency_seconds histogram
imbot_latency_seconds_bucket{route="model",le="0.1"} 1
imbot_latency_seconds_bucket{route="model",le="1"} 2
imbot_latency_seconds_bucket{route="model",le="+Inf"} 3
imbot_latency_seconds_sum{route="model"} 5.55
imbot_latency_seconds_count{route="model"} 3
# HELP imbot_queued Queued turns.
# TYPE imbot_queued gauge
imbot_queued 3
# HELP imbot_turns_total Turns by route.
# TYPE imbot_turns_total counter
imbot_turns_total{route="faq"} 1
imbot_turns_total{route="model"} 2
# HELP imbot_up Always 1.
# TYPE imbot_up gauge
imbot_up 1
`
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestRegistryReturnsTheSameFamily(t *testing.T) {
	r := NewRegistry()
	r.Counter("c", "help", "l").With("x").Inc()
	r.Counter("c", "help", "l").With("x").Inc()
	if v, _ := r.Value("c", "x"); v != 2 {
		t.Fatalf("value = %v, want both increments on one series", v)
	}
}

func TestLabelValuesAreQuoted(t *testing.T) {
	r := NewRegistry()
	r.Counter("c", "h", "provider").With("a\"b\\c\n飞书\t").Inc()
	var b strings.Builder
	r.WriteText(&b)
	if !strings.Contains(b.String(), "c{provider=\"a\\\"b\\\\c\\n飞书\t\"} 1") {
		t.Fatalf("unescaped label: %s", b.String())
	}
}

func TestConcurrentUpdates(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("c", "h", "k")
	h := r.Histogram("h", "h", cmetric.LatencyBuckets())
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				c.With("a").Inc()
				h.With().Observe(0.2)
				var b strings.Builder
				r.WriteText(&b)
			}
		})
	}
	wg.Wait()
	if v, _ := r.Value("c", "a"); v != 8000 {
		t.Fatalf("counter = %v, want 8000", v)
	}
}

func TestRegisteringOneNameAsTwoKindsPanics(t *testing.T) {
	tests := []struct {
		name   string
		second func(r *Registry)
	}{
		{"gauge over counter", func(r *Registry) { r.Gauge("x", "h") }},
		{"histogram over counter", func(r *Registry) { r.Histogram("x", "h", cmetric.LatencyBuckets()) }},
		{"gauge func over counter", func(r *Registry) { r.GaugeFunc("x", "h", func() float64 { return 0 }) }},
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
	r.Gauge("g", "h", "k").With("a").Set(4)
	if v, ok := r.Value("g", "a"); !ok || v != 4 {
		t.Errorf("Value(g, a) = %v, %t; want 4, true", v, ok)
	}
	for _, labels := range [][]string{{"b"}, {}, {"a", "b"}} {
		if _, ok := r.Value("g", labels...); ok {
			t.Errorf("Value(g, %q) found a series", labels)
		}
	}
	if _, ok := r.Value("missing"); ok {
		t.Error("Value found a family never registered")
	}
}
