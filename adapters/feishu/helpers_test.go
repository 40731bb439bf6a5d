package feishu

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"imbot/adapters/feishu/feishutest"
	"imbot/core"
	"imbot/metric"
)

const (
	testAppID      = "cli_test"
	testSecret     = "app-secret"
	testToken      = "verification-token"
	testEncryptKey = "encrypt-key"
	testBot        = "ou_bot"
	testUser       = "ou_alice"
)

// clock is a settable clock for the adapter.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// harness is an adapter wired to a fake Feishu, with a recording deliver.
type harness struct {
	refs      *memRefs
	t         testing.TB
	fake      *feishutest.Server
	a         *Adapter
	clock     *clock
	url       string // webhook URL, in webhook mode
	metrics   *metric.Registry
	delivered chan core.Envelope
	deliver   core.DeliverFunc
}

func testConfig(fake *feishutest.Server) Config {
	cfg := DefaultConfig()
	cfg.Enabled = true
	cfg.Mode = ModeWebhook
	cfg.AppID, cfg.AppSecret = testAppID, testSecret
	cfg.VerificationToken, cfg.EncryptKey = testToken, testEncryptKey
	cfg.BaseURL = fake.URL
	return cfg
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

// newHarness builds an adapter against a fresh fake; edit adjusts its config.
func newHarness(t testing.TB, edit func(*Config)) *harness {
	t.Helper()
	fake := feishutest.New(t, testAppID, testSecret, testBot)
	cfg := testConfig(fake)
	if edit != nil {
		edit(&cfg)
	}
	c := &clock{t: time.Now()}
	reg := metric.NewRegistry()
	refs := newMemRefs()
	a, err := New(cfg, WithClock(c.Now), WithLogger(testLogger(t)), WithHTTPClient(fakeClient(fake)), WithMetrics(reg),
		WithReplyRefs(refs), WithReplyIndex(refs))
	if err != nil {
		t.Fatal(err)
	}
	a.api.retry.Base = time.Millisecond
	h := &harness{t: t, fake: fake, a: a, clock: c, metrics: reg, refs: refs, delivered: make(chan core.Envelope, 16)}
	h.deliver = func(_ context.Context, env core.Envelope) error {
		h.delivered <- env
		return nil
	}
	return h
}

// fakeClient is the fake's client with room for many idle connections, as
// the adapter's default client has.
func fakeClient(fake *feishutest.Server) *http.Client {
	c := fake.Client()
	tr := c.Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// restart replaces the adapter by a fresh one on the same config, as a new
// process would build.
func (h *harness) restart() {
	h.t.Helper()
	a, err := New(h.a.cfg, WithClock(h.clock.Now), WithLogger(testLogger(h.t)), WithHTTPClient(fakeClient(h.fake)),
		WithMetrics(h.metrics), WithReplyRefs(h.refs), WithReplyIndex(h.refs))
	if err != nil {
		h.t.Fatal(err)
	}
	a.api.retry.Base = time.Millisecond
	h.a = a
}

// serve mounts the webhook on a loopback server and runs the adapter until
// the returned stop is called or the test ends.
func (h *harness) serve() (stop func()) {
	h.t.Helper()
	mux := http.NewServeMux()
	h.a.Mount(mux)
	srv := httptest.NewServer(mux)
	h.url = srv.URL + h.a.cfg.WebhookPath
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- h.a.Run(ctx, func(ctx context.Context, env core.Envelope) error { return h.deliver(ctx, env) })
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				h.t.Errorf("Run: %v", err)
			}
			srv.Close()
		})
	}
	h.t.Cleanup(stop)
	h.waitFor("adapter ready", func() bool { return h.a.Check(ctx) == nil })
	return stop
}

// post sends plain as a signed, encrypted webhook callback.
func (h *harness) post(plain []byte) int {
	h.t.Helper()
	return h.do(feishutest.WebhookRequest(context.Background(), h.url, testEncryptKey, plain, h.clock.Now()))
}

func (h *harness) do(req *http.Request) int {
	h.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitFor polls cond until it holds or 10 s pass.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			h.t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}

// noDelivery checks that nothing was delivered.
func (h *harness) noDelivery() {
	h.t.Helper()
	select {
	case env := <-h.delivered:
		h.t.Fatalf("unexpected delivery: %+v", env)
	default:
	}
}

// event returns a text event in a group mentioning the bot.
func (h *harness) event(id, text string) feishutest.Event {
	return feishutest.Event{
		EventID: "ev_" + id, Token: testToken, MessageID: "om_" + id, ChatID: "oc_group", ChatType: "group",
		MsgType: "text", Content: feishutest.TextContent("@_user_1 " + text), SenderOpenID: testUser,
		Mentions: []feishutest.Mention{{Key: "@_user_1", OpenID: testBot, Name: "imbot"}},
		Created:  h.clock.Now(),
	}
}
