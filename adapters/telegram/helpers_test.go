package telegram

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"imbot/adapters/telegram/telegramtest"
	"imbot/core"
)

// memCursors is an in-memory core.Cursors.
type memCursors struct {
	mu sync.Mutex
	m  map[string]string
}

func (c *memCursors) Cursor(_ context.Context, name string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[name], nil
}

func (c *memCursors) SetCursor(_ context.Context, name, value string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]string{}
	}
	c.m[name] = value
	return nil
}

// testConfig is a config for the fake with pacing switched off.
func testConfig(fake *telegramtest.Server) Config {
	cfg := DefaultConfig()
	cfg.Enabled = true
	cfg.Token = telegramtest.Token
	cfg.APIURL = fake.URL
	cfg.PollTimeout = 2 * time.Second
	cfg.RequestTimeout = 5 * time.Second
	cfg.EditInterval, cfg.DraftInterval, cfg.GlobalRate = 0, 0, 0
	return cfg
}

func newFake(t *testing.T) *telegramtest.Server {
	t.Helper()
	fake := telegramtest.New()
	t.Cleanup(fake.Close)
	return fake
}

func newAdapter(t *testing.T, cfg Config, cursors core.Cursors, opts ...Option) *Adapter {
	t.Helper()
	a, err := New(cfg, cursors, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// start runs a until the test ends, and returns a function that stops it
// and waits for Run to return.
func start(t *testing.T, a *Adapter, deliver core.DeliverFunc) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, deliver) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Error("Run did not return after cancel")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// inbox is a fake deliver that records envelopes and can fail on demand.
type inbox struct {
	mu    sync.Mutex
	envs  []core.Envelope
	fails map[core.MessageID]int // failures left per message id
	got   chan struct{}
}

func newInbox() *inbox {
	return &inbox{fails: map[core.MessageID]int{}, got: make(chan struct{}, 1000)}
}

func (in *inbox) deliver(_ context.Context, env core.Envelope) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.fails[env.MessageID] > 0 {
		in.fails[env.MessageID]--
		return errors.New("store unavailable")
	}
	in.envs = append(in.envs, env)
	in.got <- struct{}{}
	return nil
}

func (in *inbox) failNext(id core.MessageID, n int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.fails[id] = n
}

func (in *inbox) all() []core.Envelope {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]core.Envelope(nil), in.envs...)
}

// wait waits until n envelopes have been delivered.
func (in *inbox) wait(t *testing.T, n int) []core.Envelope {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for len(in.all()) < n {
		select {
		case <-in.got:
		case <-deadline:
			t.Fatalf("delivered %d envelopes, want %d", len(in.all()), n)
		}
	}
	return in.all()
}

// waitFake waits until cond holds on the fake.
func waitFake(t *testing.T, fake *telegramtest.Server, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fake.Wait(ctx, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

var stickerModel = models.Sticker{FileID: "s", FileUniqueID: "u", Type: "regular", Width: 1, Height: 1}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// waitReady polls a's readiness until a deadline.
func waitReady(t *testing.T, a *Adapter) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for a.Check(t.Context()) != nil {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatal("adapter not ready")
		}
	}
}
