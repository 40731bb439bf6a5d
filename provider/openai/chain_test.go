package provider

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"imbot/core/metric"
	"imbot/core/provider/providertest"
)

// chainFixture is a chain over fake servers sharing one fake clock.
type chainFixture struct {
	clock   *fakeClock
	servers []*providertest.Server
	chain   *Chain
}

// newChainFixture builds a chain over one fake per name; tweak may adjust
// each provider's config.
func newChainFixture(t *testing.T, names []string, tweak func(*Config), opts ...Option) *chainFixture {
	t.Helper()
	f := &chainFixture{clock: newFakeClock()}
	opts = append([]Option{WithClock(f.clock)}, opts...)
	var clients []*Client
	for _, name := range names {
		srv := newFake(t)
		cfg := testConfig(name, srv)
		if tweak != nil {
			tweak(&cfg)
		}
		f.servers = append(f.servers, srv)
		clients = append(clients, newTestClient(t, cfg, opts...))
	}
	ch, err := NewChain("general", clients, opts...)
	if err != nil {
		t.Fatalf("NewChain: %v", err)
	}
	f.chain = ch
	return f
}

func (f *chainFixture) calls() []int {
	out := make([]int, len(f.servers))
	for i, s := range f.servers {
		out[i] = s.Calls()
	}
	return out
}

func TestChainStream(t *testing.T) {
	type script = []providertest.Response
	tests := []struct {
		name        string
		scripts     []script // per provider, in chain order
		deadline    time.Duration
		wantText    string
		wantFrom    string
		wantCalls   []int
		wantSleeps  []time.Duration // exact waits; nil: none
		wantErrIs   error
		interrupted bool
	}{
		{name: "first answers, order respected",
			scripts:  []script{{providertest.Answer("from a")}, {providertest.Answer("from b")}},
			wantText: "from a", wantFrom: "a", wantCalls: []int{1, 0}},
		{name: "500 then success retries the same provider",
			scripts:  []script{{providertest.Fail(500), providertest.Answer("second try")}, nil},
			wantText: "second try", wantFrom: "a", wantCalls: []int{2, 0}},
		{name: "429 Retry-After honoured",
			scripts:  []script{{providertest.RateLimited(3), providertest.Answer("after wait")}, nil},
			wantText: "after wait", wantFrom: "a", wantCalls: []int{2, 0}, wantSleeps: []time.Duration{3 * time.Second}},
		{name: "Retry-After past the deadline goes to the next provider",
			scripts:  []script{{providertest.RateLimited(20)}, {providertest.Answer("from b")}},
			deadline: 30 * time.Second, wantText: "from b", wantFrom: "b", wantCalls: []int{1, 1}, wantSleeps: []time.Duration{}},
		{name: "Retry-After over the cap goes to the next provider",
			scripts:  []script{{providertest.RateLimited(120)}, {providertest.Answer("from b")}},
			wantText: "from b", wantFrom: "b", wantCalls: []int{1, 1}, wantSleeps: []time.Duration{}},
		{name: "401 is not retried and fails over",
			scripts:  []script{{providertest.Fail(401)}, {providertest.Answer("from b")}},
			wantText: "from b", wantFrom: "b", wantCalls: []int{1, 1}, wantSleeps: []time.Duration{}},
		{name: "retries exhausted then fail over",
			scripts:  []script{{providertest.Fail(503), providertest.Fail(503), providertest.Fail(503)}, {providertest.Answer("b")}},
			wantText: "b", wantFrom: "b", wantCalls: []int{3, 1}},
		{name: "mid-stream drop is interrupted, no fail-over",
			scripts:  []script{{providertest.Drop(2, "par", "tial", "never")}, {providertest.Answer("from b")}},
			wantText: "partial", wantFrom: "a", wantCalls: []int{1, 0}, interrupted: true, wantSleeps: []time.Duration{}},
		{name: "all down",
			scripts:   []script{{providertest.Fail(401)}, {providertest.Fail(403)}},
			wantCalls: []int{1, 1}, wantErrIs: ErrAllFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newChainFixture(t, []string{"a", "b"}, nil)
			for i, s := range tt.scripts {
				f.servers[i].Enqueue(s...)
			}
			ctx := testContext(t)
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, f.clock.Now().Add(tt.deadline))
				defer cancel()
			}
			var deltas []string
			res, err := f.chain.Stream(ctx, userRequest("hi"), collect(&deltas))
			if tt.wantErrIs != nil {
				if !errors.Is(err, tt.wantErrIs) {
					t.Fatalf("err = %v, want %v", err, tt.wantErrIs)
				}
			} else if (err != nil) != tt.interrupted {
				t.Fatalf("err = %v", err)
			}
			if res.Text != tt.wantText || res.Provider != tt.wantFrom || res.Interrupted != tt.interrupted {
				t.Errorf("result = %+v, want %q from %q (interrupted %t)", res, tt.wantText, tt.wantFrom, tt.interrupted)
			}
			if strings.Join(deltas, "") != tt.wantText {
				t.Errorf("deltas %q do not add up to the answer %q", deltas, tt.wantText)
			}
			if got := f.calls(); !slices.Equal(got, tt.wantCalls) {
				t.Errorf("calls per provider = %v, want %v", got, tt.wantCalls)
			}
			if tt.wantSleeps != nil && !slices.Equal(f.clock.Sleeps(), tt.wantSleeps) {
				t.Errorf("sleeps = %v, want %v", f.clock.Sleeps(), tt.wantSleeps)
			}
		})
	}
}

func TestChainAllFailedWrapsEachError(t *testing.T) {
	f := newChainFixture(t, []string{"a", "b"}, nil)
	f.servers[0].Enqueue(providertest.Fail(401))
	f.servers[1].Enqueue(providertest.Fail(404))
	_, err := f.chain.Stream(testContext(t), userRequest("hi"), nil)
	var pe *Error
	if !errors.Is(err, ErrAllFailed) || !errors.As(err, &pe) || pe.Provider != "a" || pe.Status != 401 {
		t.Fatalf("err = %v, want ErrAllFailed wrapping a's 401", err)
	}
	if !strings.Contains(err.Error(), "provider b: status 404") {
		t.Errorf("err = %v, want b's error in it", err)
	}
}

func TestChainBackoffWithinBounds(t *testing.T) {
	f := newChainFixture(t, []string{"a"}, nil, WithBackoff(time.Second, 4*time.Second))
	f.servers[0].Enqueue(providertest.Fail(500), providertest.Fail(500), providertest.Answer("ok"))
	if _, err := f.chain.Stream(testContext(t), userRequest("hi"), nil); err != nil {
		t.Fatalf("Stream: %v", err)
	}
	sleeps := f.clock.Sleeps()
	if len(sleeps) != 2 || sleeps[0] > time.Second || sleeps[1] > 2*time.Second || sleeps[0] < 0 || sleeps[1] < 0 {
		t.Errorf("sleeps = %v, want two full-jitter waits within 1s and 2s", sleeps)
	}
}

func TestBackoffCeiling(t *testing.T) {
	ch := &Chain{backoffBase: time.Second, backoffMax: 5 * time.Second,
		jitter: func(n int64) int64 { return n - 1 }} // always the top of the range
	for attempt, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second} {
		if got := ch.backoff(attempt); got != want {
			t.Errorf("backoff(%d) = %s, want %s", attempt, got, want)
		}
	}
	if got := ch.backoff(70); got != 5*time.Second {
		t.Errorf("backoff(70) = %s, want the cap", got)
	}
}

func TestChainFirstTokenTimeoutFailsOver(t *testing.T) {
	f := newChainFixture(t, []string{"a", "b"}, func(c *Config) { c.MaxRetries = 0 })
	f.servers[0].Enqueue(providertest.Hang())
	f.servers[1].Enqueue(providertest.Answer("from b"))
	type outcome struct {
		res Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := f.chain.Stream(testContext(t), userRequest("hi"), nil)
		done <- outcome{res, err}
	}()
	if err := f.servers[0].WaitRequests(testContext(t), 1); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(15 * time.Second)
	got := <-done
	if got.err != nil || got.res.Text != "from b" || got.res.Provider != "b" {
		t.Fatalf("Stream = %+v, %v; want b's answer", got.res, got.err)
	}
}

func TestChainCallerCancelStops(t *testing.T) {
	f := newChainFixture(t, []string{"a", "b"}, nil)
	f.servers[0].Enqueue(providertest.Hang())
	ctx, cancel := context.WithCancel(testContext(t))
	done := make(chan error, 1)
	go func() {
		_, err := f.chain.Stream(ctx, userRequest("hi"), nil)
		done <- err
	}()
	if err := f.servers[0].WaitRequests(testContext(t), 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrAllFailed) {
		t.Fatalf("err = %v, want context.Canceled and not ErrAllFailed", err)
	}
	if got := f.calls(); !slices.Equal(got, []int{1, 0}) {
		t.Errorf("calls = %v, want [1 0]", got)
	}
}

func TestChainBreakerLifecycle(t *testing.T) {
	f := newChainFixture(t, []string{"a", "b"}, func(c *Config) {
		c.MaxRetries = 0
		c.Breaker.MinCalls, c.Breaker.FailureRatio, c.Breaker.Cooldown = 2, 0.5, 30*time.Second
	})
	a, b := f.servers[0], f.servers[1]
	a.Enqueue(providertest.Fail(500), providertest.Fail(500))
	ask := func() Result {
		t.Helper()
		res, err := f.chain.Stream(testContext(t), userRequest("hi"), nil)
		if err != nil {
			t.Fatalf("Stream: %v", err)
		}
		return res
	}
	for range 2 { // the burst: a fails twice, b answers
		if res := ask(); res.Provider != "b" {
			t.Fatalf("answered by %s, want b", res.Provider)
		}
	}
	if s := f.chain.States()[0].State; s != StateOpen {
		t.Fatalf("a's breaker = %s, want open", s)
	}
	ask() // a is skipped while open
	if a.Calls() != 2 || b.Calls() != 3 {
		t.Fatalf("calls a=%d b=%d, want 2 and 3", a.Calls(), b.Calls())
	}
	f.clock.Advance(30 * time.Second)
	if s := f.chain.States()[0].State; s != StateHalfOpen {
		t.Fatalf("after cool-down a's breaker = %s, want half_open", s)
	}
	if res := ask(); res.Provider != "a" { // the probe succeeds
		t.Fatalf("probe answered by %s, want a", res.Provider)
	}
	if s := f.chain.States()[0].State; s != StateClosed {
		t.Errorf("after a good probe a's breaker = %s, want closed", s)
	}
}

func TestChainUsableAndStates(t *testing.T) {
	f := newChainFixture(t, []string{"local", "cloud"}, func(c *Config) {
		c.MaxRetries, c.Breaker.MinCalls = 0, 1
		c.ThirdParty = c.Name == "cloud"
	})
	f.servers[0].Enqueue(providertest.Fail(500))
	f.servers[1].Enqueue(providertest.Fail(500))
	if !f.chain.Usable() {
		t.Fatal("fresh chain not usable")
	}
	if _, err := f.chain.Stream(testContext(t), userRequest("hi"), nil); !errors.Is(err, ErrAllFailed) {
		t.Fatalf("err = %v, want ErrAllFailed", err)
	}
	if f.chain.Usable() {
		t.Error("chain with every breaker open reports usable")
	}
	want := []ProviderState{
		{Name: "local", Model: "test-model", State: StateOpen},
		{Name: "cloud", Model: "test-model", State: StateOpen, ThirdParty: true},
	}
	if got := f.chain.States(); !slices.Equal(got, want) {
		t.Errorf("States = %+v, want %+v", got, want)
	}
	_, err := f.chain.Stream(testContext(t), userRequest("hi"), nil)
	if !errors.Is(err, ErrAllFailed) || !errors.Is(err, ErrBreakerOpen) {
		t.Errorf("err = %v, want ErrAllFailed from open breakers", err)
	}
}

func TestNewChainRejects(t *testing.T) {
	srv := newFake(t)
	c := newTestClient(t, testConfig("a", srv))
	tests := []struct {
		name    string
		chain   string
		clients []*Client
	}{
		{"empty name", "", []*Client{c}},
		{"no providers", "general", nil},
		{"nil provider", "general", []*Client{nil}},
		{"duplicate", "general", []*Client{c, c}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewChain(tt.chain, tt.clients); err == nil {
				t.Error("NewChain accepted it")
			}
		})
	}
}

func TestChainMetrics(t *testing.T) {
	reg := metric.NewRegistry()
	f := newChainFixture(t, []string{"a", "b"}, func(c *Config) { c.MaxRetries = 1 }, WithMetrics(reg))
	f.servers[0].Enqueue(providertest.Fail(500), providertest.Fail(401))
	f.servers[1].Enqueue(providertest.Response{Chunks: []string{"x"}, Usage: &providertest.Usage{PromptTokens: 7, CompletionTokens: 2}})
	if _, err := f.chain.Stream(testContext(t), userRequest("hi"), nil); err != nil {
		t.Fatalf("Stream: %v", err)
	}
	var out strings.Builder
	if err := reg.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		`imbot_provider_calls_total{provider="a",outcome="server_error"} 1`,
		`imbot_provider_calls_total{provider="a",outcome="client_error"} 1`,
		`imbot_provider_calls_total{provider="b",outcome="ok"} 1`,
		`imbot_provider_retries_total{provider="a"} 1`,
		`imbot_provider_failovers_total{chain="general",provider="a"} 1`,
		`imbot_provider_tokens_total{provider="b",kind="prompt"} 7`,
		`imbot_provider_tokens_total{provider="b",kind="completion"} 2`,
		`imbot_provider_breaker_state{provider="a"} 0`,
		`imbot_provider_first_token_seconds_count{provider="b"} 1`,
	} {
		if !strings.Contains(out.String(), line+"\n") {
			t.Errorf("metrics lack %q", line)
		}
	}
}
