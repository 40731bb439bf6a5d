package openai

import (
	"context"
	"sync"
	"testing"
	"time"

	"imbot/core"
	"imbot/provider/openai/openaitest"
)

// fakeClock is a Clock that moves only when told to: Advance, or Sleep
// (which records the wait and advances at once).
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
	sleeps []time.Duration
}

type fakeTimer struct {
	at            time.Time
	f             func()
	fired, killed bool
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Now()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		if t.fired || t.killed {
			return false
		}
		t.killed = true
		return true
	}
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// Advance moves the clock by d and runs the timers that fell due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []func()
	live := c.timers[:0]
	for _, t := range c.timers {
		switch {
		case t.fired || t.killed:
		case !t.at.After(c.now):
			t.fired = true
			due = append(due, t.f)
		default:
			live = append(live, t)
		}
	}
	c.timers = live
	c.mu.Unlock()
	for _, f := range due {
		f()
	}
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

const testKey = "sk-test-0123456789"

// testConfig returns a valid config for a fake server.
func testConfig(name string, srv *openaitest.Server) Config {
	cfg := DefaultConfig()
	cfg.Name, cfg.BaseURL, cfg.Model = name, srv.URL(), "test-model"
	cfg.APIKeyEnv, cfg.APIKey = "TEST_KEY", testKey
	return cfg
}

// newFake starts a fake server that expects testConfig's key and model.
func newFake(t testing.TB, opts ...openaitest.Option) *openaitest.Server {
	t.Helper()
	return openaitest.New(t, append([]openaitest.Option{
		openaitest.WithAPIKey(testKey), openaitest.WithModel("test-model")}, opts...)...)
}

func newTestClient(t testing.TB, cfg Config, opts ...Option) *Client {
	t.Helper()
	c, err := NewClient(cfg, opts...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func userRequest(text string) core.ModelRequest {
	return core.ModelRequest{Messages: []core.ModelMessage{{Role: "system", Content: "be brief"}, {Role: "user", Content: text}}}
}

// collect returns a DeltaFunc that appends to *got.
func collect(got *[]string) core.DeltaFunc {
	return func(s string) { *got = append(*got, s) }
}

func testContext(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}
