package openai

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"imbot/core"
	"imbot/core/chain"
	"imbot/metric"
	"imbot/provider/openai/openaitest"
)

// These tests run core/chain over real clients and fake servers: they check
// that the client's errors classify as the chain needs (Retry-After, which
// statuses are retried, what counts against the breaker).

// chainFixture is a chain over fake servers sharing one fake clock.
type chainFixture struct {
	clock   *fakeClock
	servers []*openaitest.Server
	chain   *chain.Chain
}

// newChainFixture builds a chain over one fake per name; tweak may adjust
// each provider's config. opts go to the members and the chain; a meter
// given with chain.WithMetrics goes to the clients too.
func newChainFixture(t *testing.T, names []string, tweak func(*Config), reg *metric.Registry, opts ...chain.Option) *chainFixture {
	t.Helper()
	f := &chainFixture{clock: newFakeClock()}
	opts = append([]chain.Option{chain.WithClock(f.clock)}, opts...)
	clientOpts := []Option{WithClock(f.clock)}
	if reg != nil {
		opts = append(opts, chain.WithMetrics(reg))
		clientOpts = append(clientOpts, WithMetrics(reg))
	}
	var members []*chain.Member
	for _, name := range names {
		srv := newFake(t)
		cfg := testConfig(name, srv)
		if tweak != nil {
			tweak(&cfg)
		}
		f.servers = append(f.servers, srv)
		m, err := chain.NewMember(newTestClient(t, cfg, clientOpts...), cfg.Policy(), opts...)
		if err != nil {
			t.Fatalf("NewMember: %v", err)
		}
		members = append(members, m)
	}
	ch, err := chain.New("general", members, opts...)
	if err != nil {
		t.Fatalf("chain.New: %v", err)
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
	type script = []openaitest.Response
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
			scripts:  []script{{openaitest.Answer("from a")}, {openaitest.Answer("from b")}},
			wantText: "from a", wantFrom: "a", wantCalls: []int{1, 0}},
		{name: "500 then success retries the same provider",
			scripts:  []script{{openaitest.Fail(500), openaitest.Answer("second try")}, nil},
			wantText: "second try", wantFrom: "a", wantCalls: []int{2, 0}},
		{name: "429 Retry-After honoured",
			scripts:  []script{{openaitest.RateLimited(3), openaitest.Answer("after wait")}, nil},
			wantText: "after wait", wantFrom: "a", wantCalls: []int{2, 0}, wantSleeps: []time.Duration{3 * time.Second}},
		{name: "Retry-After past the deadline goes to the next provider",
			scripts:  []script{{openaitest.RateLimited(20)}, {openaitest.Answer("from b")}},
			deadline: 30 * time.Second, wantText: "from b", wantFrom: "b", wantCalls: []int{1, 1}, wantSleeps: []time.Duration{}},
		{name: "Retry-After over the cap goes to the next provider",
			scripts:  []script{{openaitest.RateLimited(120)}, {openaitest.Answer("from b")}},
			wantText: "from b", wantFrom: "b", wantCalls: []int{1, 1}, wantSleeps: []time.Duration{}},
		{name: "401 is not retried and fails over",
			scripts:  []script{{openaitest.Fail(401)}, {openaitest.Answer("from b")}},
			wantText: "from b", wantFrom: "b", wantCalls: []int{1, 1}, wantSleeps: []time.Duration{}},
		{name: "retries exhausted then fail over",
			scripts:  []script{{openaitest.Fail(503), openaitest.Fail(503), openaitest.Fail(503)}, {openaitest.Answer("b")}},
			wantText: "b", wantFrom: "b", wantCalls: []int{3, 1}},
		{name: "mid-stream drop is interrupted, no fail-over",
			scripts:  []script{{openaitest.Drop(2, "par", "tial", "never")}, {openaitest.Answer("from b")}},
			wantText: "partial", wantFrom: "a", wantCalls: []int{1, 0}, interrupted: true, wantSleeps: []time.Duration{}},
		{name: "all down",
			scripts:   []script{{openaitest.Fail(401)}, {openaitest.Fail(403)}},
			wantCalls: []int{1, 1}, wantErrIs: chain.ErrAllFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newChainFixture(t, []string{"a", "b"}, nil, nil)
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
	f := newChainFixture(t, []string{"a", "b"}, nil, nil)
	f.servers[0].Enqueue(openaitest.Fail(401))
	f.servers[1].Enqueue(openaitest.Fail(404))
	_, err := f.chain.Stream(testContext(t), userRequest("hi"), nil)
	var pe *Error
	if !errors.Is(err, chain.ErrAllFailed) || !errors.As(err, &pe) || pe.Provider != "a" || pe.Status != 401 {
		t.Fatalf("err = %v, want chain.ErrAllFailed wrapping a's 401", err)
	}
	if !strings.Contains(err.Error(), "provider b: status 404") {
		t.Errorf("err = %v, want b's error in it", err)
	}
}

func TestChainBackoffWithinBounds(t *testing.T) {
	f := newChainFixture(t, []string{"a"}, nil, nil, chain.WithBackoff(time.Second, 4*time.Second))
	f.servers[0].Enqueue(openaitest.Fail(500), openaitest.Fail(500), openaitest.Answer("ok"))
	if _, err := f.chain.Stream(testContext(t), userRequest("hi"), nil); err != nil {
		t.Fatalf("Stream: %v", err)
	}
	sleeps := f.clock.Sleeps()
	if len(sleeps) != 2 || sleeps[0] > time.Second || sleeps[1] > 2*time.Second || sleeps[0] < 0 || sleeps[1] < 0 {
		t.Errorf("sleeps = %v, want two full-jitter waits within 1s and 2s", sleeps)
	}
}

func TestChainFirstTokenTimeoutFailsOver(t *testing.T) {
	f := newChainFixture(t, []string{"a", "b"}, func(c *Config) { c.MaxRetries = 0 }, nil)
	f.servers[0].Enqueue(openaitest.Hang())
	f.servers[1].Enqueue(openaitest.Answer("from b"))
	type outcome struct {
		res core.ModelResult
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
	f := newChainFixture(t, []string{"a", "b"}, nil, nil)
	f.servers[0].Enqueue(openaitest.Hang())
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
	if !errors.Is(err, context.Canceled) || errors.Is(err, chain.ErrAllFailed) {
		t.Fatalf("err = %v, want context.Canceled and not chain.ErrAllFailed", err)
	}
	if got := f.calls(); !slices.Equal(got, []int{1, 0}) {
		t.Errorf("calls = %v, want [1 0]", got)
	}
}

func TestChainBreakerLifecycle(t *testing.T) {
	f := newChainFixture(t, []string{"a", "b"}, func(c *Config) {
		c.MaxRetries = 0
		c.Breaker.MinCalls, c.Breaker.FailureRatio, c.Breaker.Cooldown = 2, 0.5, 30*time.Second
		c.Breaker.MinConversations = 1
	}, nil)
	a, b := f.servers[0], f.servers[1]
	a.Enqueue(openaitest.Fail(500), openaitest.Fail(500))
	ask := func() core.ModelResult {
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
	if s := f.chain.States()[0].State; s != chain.StateOpen {
		t.Fatalf("a's breaker = %s, want open", s)
	}
	ask() // a is skipped while open
	if a.Calls() != 2 || b.Calls() != 3 {
		t.Fatalf("calls a=%d b=%d, want 2 and 3", a.Calls(), b.Calls())
	}
	f.clock.Advance(30 * time.Second)
	if s := f.chain.States()[0].State; s != chain.StateHalfOpen {
		t.Fatalf("after cool-down a's breaker = %s, want half_open", s)
	}
	if res := ask(); res.Provider != "a" { // the probe succeeds
		t.Fatalf("probe answered by %s, want a", res.Provider)
	}
	if s := f.chain.States()[0].State; s != chain.StateClosed {
		t.Errorf("after a good probe a's breaker = %s, want closed", s)
	}
}

func TestChainUsableAndStates(t *testing.T) {
	f := newChainFixture(t, []string{"local", "cloud"}, func(c *Config) {
		c.MaxRetries, c.Breaker.MinCalls, c.Breaker.MinConversations = 0, 1, 1
		c.ThirdParty = c.Name == "cloud"
	}, nil)
	f.servers[0].Enqueue(openaitest.Fail(500))
	f.servers[1].Enqueue(openaitest.Fail(500))
	if !f.chain.Usable() {
		t.Fatal("fresh chain not usable")
	}
	if _, err := f.chain.Stream(testContext(t), userRequest("hi"), nil); !errors.Is(err, chain.ErrAllFailed) {
		t.Fatalf("err = %v, want chain.ErrAllFailed", err)
	}
	if f.chain.Usable() {
		t.Error("chain with every breaker open reports usable")
	}
	want := []chain.ProviderState{
		{Name: "local", Model: "test-model", State: chain.StateOpen},
		{Name: "cloud", Model: "test-model", State: chain.StateOpen, ThirdParty: true},
	}
	if got := f.chain.States(); !slices.Equal(got, want) {
		t.Errorf("States = %+v, want %+v", got, want)
	}
	_, err := f.chain.Stream(testContext(t), userRequest("hi"), nil)
	if !errors.Is(err, chain.ErrAllFailed) || !errors.Is(err, chain.ErrBreakerOpen) {
		t.Errorf("err = %v, want chain.ErrAllFailed from open breakers", err)
	}
}

func TestChainMetrics(t *testing.T) {
	reg := metric.NewRegistry()
	f := newChainFixture(t, []string{"a", "b"}, func(c *Config) { c.MaxRetries = 1 }, reg)
	f.servers[0].Enqueue(openaitest.Fail(500), openaitest.Fail(401))
	f.servers[1].Enqueue(openaitest.Response{Chunks: []string{"x"}, Usage: &openaitest.Usage{PromptTokens: 7, CompletionTokens: 2}})
	if _, err := f.chain.Stream(testContext(t), userRequest("hi"), nil); err != nil {
		t.Fatalf("Stream: %v", err)
	}
	var out strings.Builder
	if err := reg.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		`imbot_provider_calls_total{outcome="server_error",provider="a"} 1`,
		`imbot_provider_calls_total{outcome="client_error",provider="a"} 1`,
		`imbot_provider_calls_total{outcome="ok",provider="b"} 1`,
		`imbot_provider_retries_total{provider="a"} 1`,
		`imbot_provider_failovers_total{chain="general",provider="a"} 1`,
		`imbot_provider_tokens_total{kind="prompt",provider="b"} 7`,
		`imbot_provider_tokens_total{kind="completion",provider="b"} 2`,
		`imbot_provider_breaker_state{provider="a"} 0`,
		`imbot_provider_first_token_seconds_count{provider="b"} 1`,
	} {
		if !strings.Contains(out.String(), line+"\n") {
			t.Errorf("metrics lack %q", line)
		}
	}
}
