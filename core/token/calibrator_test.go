package token

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"imbot/metric"
)

func newTestCalibrator(t *testing.T, mutate func(*Config), opts ...Option) *Calibrator {
	t.Helper()
	cfg := DefaultConfig()
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := NewCalibrator(cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestCalibratorScale(t *testing.T) {
	type obs struct{ est, rep int }
	tests := []struct {
		name   string
		mutate func(*Config)
		obs    []obs
		want   float64
	}{
		{"nothing observed", nil, nil, 1},
		{"first observation is taken whole", nil, []obs{{1000, 700}}, 0.7 * 1.03},
		{"moving average", nil, []obs{{1000, 700}, {1000, 800}}, (0.7 + 0.2*(0.8-0.7)) * 1.03},
		{"clamped low, headroom kept", nil, []obs{{1000, 100}}, 0.5 * 1.03},
		{"clamped high", nil, []obs{{100, 5000}}, 2},
		{"no usage reported", nil, []obs{{1000, 0}}, 1},
		{"prompt too small", nil, []obs{{49, 20}}, 1},
		{"calibration off", func(c *Config) { c.Calibrate = false }, []obs{{1000, 700}}, 1},
		{"no headroom", func(c *Config) { c.Headroom = 0 }, []obs{{1000, 1200}}, 1.2},
		{"full smoothing follows the last", func(c *Config) { c.Smoothing = 1 }, []obs{{1000, 700}, {1000, 900}}, 0.9 * 1.03},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestCalibrator(t, tt.mutate)
			for _, o := range tt.obs {
				c.Observe("deepseek", o.est, o.rep)
			}
			if got := c.Scale("deepseek"); !near(got, tt.want) {
				t.Errorf("Scale = %v, want %v", got, tt.want)
			}
			if got := c.Scale("other"); got != 1 {
				t.Errorf("Scale of an unobserved provider = %v, want 1", got)
			}
		})
	}
}

func TestCalibratorCount(t *testing.T) {
	c := newTestCalibrator(t, func(c *Config) { c.Encoding = "o200k"; c.Headroom = 0 })
	if c.Encoding() != O200K {
		t.Fatalf("Encoding = %v, want o200k", c.Encoding())
	}
	text := strings.Repeat("The provider reports fewer tokens than we estimate. ", 10)
	base := O200K.Count(text)
	if got := c.Count("qwen", text); got != base {
		t.Errorf("uncalibrated Count = %d, want %d", got, base)
	}
	c.Observe("qwen", 1000, 500)
	if got, want := c.Count("qwen", text), base/2; got < want-1 || got > want+1 {
		t.Errorf("Count at scale 0.5 = %d, want about %d", got, want)
	}
	if got := c.Count("qwen", ""); got != 0 {
		t.Errorf("Count(\"\") = %d, want 0", got)
	}
	msgs := []string{text}
	if got, want := c.CountMessages("qwen", msgs), c.Count("qwen", text)+2*PerMessage; got != want {
		t.Errorf("CountMessages = %d, want %d", got, want)
	}
}

func TestCalibratorBoundsProviders(t *testing.T) {
	c := newTestCalibrator(t, nil)
	for i := range maxProviders + 10 {
		c.Observe(fmt.Sprint("p", i), 1000, 700)
	}
	if got := c.Scale(fmt.Sprint("p", maxProviders-1)); !near(got, 0.7*1.03) {
		t.Errorf("Scale of the last tracked provider = %v", got)
	}
	if got := c.Scale(fmt.Sprint("p", maxProviders)); got != 1 {
		t.Errorf("Scale past maxProviders = %v, want 1", got)
	}
}

func TestCalibratorConcurrent(t *testing.T) {
	c := newTestCalibrator(t, nil, WithMetrics(metric.NewRegistry()))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			name := fmt.Sprint("p", g%2)
			for range 500 {
				c.Observe(name, 1000, 800)
				_ = c.Count(name, "hello world")
			}
		})
	}
	wg.Wait()
	for _, name := range []string{"p0", "p1"} {
		if got := c.Scale(name); !near(got, 0.8*1.03) {
			t.Errorf("Scale(%s) = %v, want %v", name, got, 0.8*1.03)
		}
	}
}

func TestCalibratorMetrics(t *testing.T) {
	reg := metric.NewRegistry()
	c := newTestCalibrator(t, func(c *Config) { c.Headroom = 0 }, WithMetrics(reg))
	c.Observe("local", 1000, 1500)
	c.Observe("local", 1000, 1500)
	var b strings.Builder
	if err := reg.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`imbot_token_scale{provider="local"} 1.5`,
		`imbot_token_observations_total{provider="local"} 2`,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, b.String())
		}
	}
}

func TestNewCalibratorRejectsInvalidConfig(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Smoothing = 0
	if _, err := NewCalibrator(cfg); err == nil || !strings.Contains(err.Error(), "smoothing") {
		t.Errorf("NewCalibrator = %v, want an error naming smoothing", err)
	}
}

func TestCalibratorLearnSpacesObservations(t *testing.T) {
	now := time.Unix(1000, 0)
	c := newTestCalibrator(t, nil, WithClock(func() time.Time { return now }))
	estimates := 0
	learn := func(est, rep int) {
		c.Learn("deepseek", rep, func() int { estimates++; return est })
	}
	learn(1000, 700)
	now = now.Add(learnInterval - time.Millisecond)
	learn(1000, 2000) // too soon: not estimated, not learned
	if estimates != 1 || !near(c.Scale("deepseek"), 0.7*1.03) {
		t.Fatalf("after a second report within the interval: %d estimates, scale %v", estimates, c.Scale("deepseek"))
	}
	now = now.Add(time.Millisecond)
	learn(1000, 800)
	if want := (0.7 + 0.2*(0.8-0.7)) * 1.03; estimates != 2 || !near(c.Scale("deepseek"), want) {
		t.Errorf("after the interval: %d estimates, scale %v, want 2 and %v", estimates, c.Scale("deepseek"), want)
	}
	c.Learn("deepseek", 0, func() int { t.Error("estimated a call without usage"); return 0 })
}
