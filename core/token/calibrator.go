package token

import (
	"errors"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"imbot/core/metric"
)

// maxProviders bounds how many providers a Calibrator tracks; usage from
// further names is ignored (their scale stays 1).
const maxProviders = 256

// Calibrator corrects token estimates per provider: it keeps an
// exponential moving average of reported/estimated prompt tokens for each
// provider name and scales that provider's counts by it.
//
// A Calibrator is safe for concurrent use. Every method is cheap and does
// no I/O: reads take a shared lock and an atomic load, Observe a
// compare-and-swap (and an exclusive lock the first time it sees a name).
type Calibrator struct {
	cfg      Config
	enc      Encoding
	now      func() time.Time
	mu       sync.RWMutex
	ratios   map[string]*ratio
	scales   metric.GaugeVec
	observed metric.CounterVec
	metrics  bool
}

// ratio is one provider's moving average, a float64 in atomic bits; 0
// means nothing observed yet. learned is when Learn last took an
// observation, in Unix nanoseconds (0: never).
type ratio struct {
	bits    atomic.Uint64
	learned atomic.Int64
}

// learnInterval is how often Learn takes an observation per provider: the
// moving average follows a ratio that drifts slowly, while estimating a
// whole prompt for every call cost 7 % of the daemon's CPU under load.
const learnInterval = time.Second

// Option configures a Calibrator.
type Option func(*Calibrator)

// WithMetrics exports each provider's scale (imbot_token_scale) and the
// number of usage reports it learned from
// (imbot_token_observations_total) to reg.
func WithMetrics(reg metric.Meter) Option {
	return func(c *Calibrator) {
		if reg == nil {
			return
		}
		c.scales = reg.Gauge("imbot_token_scale",
			"Correction the token estimate is multiplied by, learned from reported usage.", "provider")
		c.observed = reg.Counter("imbot_token_observations_total",
			"Usage reports the token calibration learned from.", "provider")
		c.metrics = true
	}
}

// WithClock sets the clock that spaces Learn's observations (default
// time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *Calibrator) { c.now = now }
}

// NewCalibrator returns a Calibrator for cfg, which must be valid. It
// starts nothing.
func NewCalibrator(cfg Config, opts ...Option) (*Calibrator, error) {
	if problems := cfg.Validate(); len(problems) > 0 {
		return nil, errors.New("token: invalid config: " + strings.Join(problems, "; "))
	}
	enc, _ := ParseEncoding(cfg.Encoding)
	c := &Calibrator{cfg: cfg, enc: enc, now: time.Now, ratios: make(map[string]*ratio)}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Encoding returns the encoding the Calibrator's estimates start from.
// Estimates passed to Observe must be made with it, unscaled.
func (c *Calibrator) Encoding() Encoding { return c.enc }

// Observe learns from one call to the provider called name: estimated is
// the unscaled estimate of the prompt (c.Encoding().CountMessages of what
// was sent) and reported the prompt tokens the provider's usage gave. Reports without
// usage (reported <= 0), from prompts smaller than min_prompt_tokens, or
// with calibration off are ignored.
func (c *Calibrator) Observe(name string, estimated, reported int) {
	if !c.cfg.Calibrate || reported <= 0 || estimated < c.cfg.MinPromptTokens {
		return
	}
	r := c.ratio(name, true)
	if r == nil {
		return
	}
	x := c.clamp(float64(reported) / float64(estimated))
	for {
		old := r.bits.Load()
		next := x
		if prev := math.Float64frombits(old); prev > 0 {
			next = prev + c.cfg.Smoothing*(x-prev)
		}
		if r.bits.CompareAndSwap(old, math.Float64bits(next)) {
			break
		}
	}
	if c.metrics {
		c.scales.With(name).Set(c.Scale(name))
		c.observed.With(name).Inc()
	}
}

// Learn is Observe for a caller whose estimate costs a pass over the whole
// prompt: it takes at most one observation per provider per learnInterval
// (the first always) and calls estimate only for the ones it takes.
func (c *Calibrator) Learn(name string, reported int, estimate func() int) {
	if !c.cfg.Calibrate || reported <= 0 {
		return
	}
	r := c.ratio(name, true)
	if r == nil {
		return
	}
	now, last := c.now().UnixNano(), r.learned.Load()
	if last != 0 && now-last < int64(learnInterval) || !r.learned.CompareAndSwap(last, now) {
		return
	}
	c.Observe(name, estimate(), reported)
}

// Scale returns the factor the estimates for provider name are multiplied
// by: 1 until usage was observed, then the learned ratio plus headroom,
// within [min_scale, max_scale].
func (c *Calibrator) Scale(name string) float64 {
	r := c.ratio(name, false)
	if r == nil {
		return 1
	}
	avg := math.Float64frombits(r.bits.Load())
	if avg == 0 {
		return 1
	}
	return c.clamp(avg * (1 + c.cfg.Headroom))
}

// Count estimates the tokens text costs at provider name: the encoding's
// estimate times Scale(name), rounded; 0 for "", at least 1 otherwise.
func (c *Calibrator) Count(name, text string) int {
	w := c.enc.weights()
	return w.count(text, c.Scale(name))
}

// CountMessages estimates the prompt tokens of messages with the given
// contents at provider name, with the per-message overhead of
// Encoding.CountMessages, scaled.
func (c *Calibrator) CountMessages(name string, contents []string) int {
	w := c.enc.weights()
	return w.countMessages(contents, c.Scale(name))
}

func (c *Calibrator) clamp(x float64) float64 {
	return min(c.cfg.MaxScale, max(c.cfg.MinScale, x))
}

// ratio returns the average of provider name, creating it when create is
// set and fewer than maxProviders are tracked; otherwise nil when unknown.
func (c *Calibrator) ratio(name string, create bool) *ratio {
	c.mu.RLock()
	r := c.ratios[name]
	c.mu.RUnlock()
	if r != nil || !create {
		return r
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if r = c.ratios[name]; r == nil && len(c.ratios) < maxProviders {
		r = new(ratio)
		c.ratios[name] = r
	}
	return r
}
