package chain

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"imbot/core"
	cmetric "imbot/core/metric"
)

// fixture is a chain over scripted streamers sharing one fake clock.
type fixture struct {
	clock     *fakeClock
	streamers []*scripted
	chain     *Chain
}

func newFixture(t *testing.T, names []string, tweak func(*Policy), opts ...Option) *fixture {
	t.Helper()
	f := &fixture{clock: newFakeClock()}
	opts = append([]Option{WithClock(f.clock)}, opts...)
	var members []*Member
	for _, name := range names {
		s := &scripted{}
		p := testPolicy(name)
		if tweak != nil {
			tweak(&p)
		}
		m, err := NewMember(s, p, opts...)
		if err != nil {
			t.Fatalf("NewMember: %v", err)
		}
		f.streamers = append(f.streamers, s)
		members = append(members, m)
	}
	ch, err := New("general", members, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	f.chain = ch
	return f
}

func (f *fixture) calls() []int {
	out := make([]int, len(f.streamers))
	for i, s := range f.streamers {
		out[i] = s.Calls()
	}
	return out
}

func TestChainStreamScripted(t *testing.T) {
	tests := []struct {
		name       string
		scripts    [][]scriptStep
		deadline   time.Duration
		wantText   string
		wantCalls  []int
		wantSleeps []time.Duration
		wantErr    error
		interrupt  bool
	}{
		{name: "first answers",
			scripts:  [][]scriptStep{{answer("a", "from a")}, {answer("b", "from b")}},
			wantText: "from a", wantCalls: []int{1, 0}, wantSleeps: []time.Duration{}},
		{name: "Retry-After honoured on the same provider",
			scripts:  [][]scriptStep{{failing(rateLimited(3 * time.Second)), answer("a", "again")}, nil},
			wantText: "again", wantCalls: []int{2, 0}, wantSleeps: []time.Duration{3 * time.Second}},
		{name: "Retry-After over the cap hands over",
			scripts:  [][]scriptStep{{failing(rateLimited(time.Minute))}, {answer("b", "from b")}},
			wantText: "from b", wantCalls: []int{1, 1}, wantSleeps: []time.Duration{}},
		{name: "wait past the deadline hands over",
			scripts:  [][]scriptStep{{failing(rateLimited(20 * time.Second))}, {answer("b", "from b")}},
			deadline: 30 * time.Second, wantText: "from b", wantCalls: []int{1, 1}, wantSleeps: []time.Duration{}},
		{name: "non-retryable hands over at once",
			scripts:  [][]scriptStep{{failing(fail(401, false))}, {answer("b", "from b")}},
			wantText: "from b", wantCalls: []int{1, 1}, wantSleeps: []time.Duration{}},
		{name: "unclassified error hands over at once",
			scripts:  [][]scriptStep{{failing(errors.New("odd"))}, {answer("b", "from b")}},
			wantText: "from b", wantCalls: []int{1, 1}, wantSleeps: []time.Duration{}},
		{name: "interrupted stream ends the chain",
			scripts:  [][]scriptStep{{interrupted("a", "half")}, {answer("b", "from b")}},
			wantText: "half", wantCalls: []int{1, 0}, interrupt: true},
		{name: "all fail",
			scripts:   [][]scriptStep{{failing(fail(401, false))}, {failing(fail(403, false))}},
			wantCalls: []int{1, 1}, wantErr: ErrAllFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, []string{"a", "b"}, nil)
			for i, s := range tt.scripts {
				f.streamers[i].steps = s
			}
			ctx := t.Context()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, f.clock.Now().Add(tt.deadline))
				defer cancel()
			}
			res, err := f.chain.Stream(ctx, core.ModelRequest{}, nil)
			switch {
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			case tt.wantErr == nil && (err != nil) != tt.interrupt:
				t.Fatalf("err = %v", err)
			}
			if res.Text != tt.wantText || res.Interrupted != tt.interrupt {
				t.Errorf("result = %+v, want %q (interrupted %t)", res, tt.wantText, tt.interrupt)
			}
			if got := f.calls(); !slices.Equal(got, tt.wantCalls) {
				t.Errorf("calls = %v, want %v", got, tt.wantCalls)
			}
			if tt.wantSleeps != nil && !slices.Equal(f.clock.Sleeps(), tt.wantSleeps) {
				t.Errorf("sleeps = %v, want %v", f.clock.Sleeps(), tt.wantSleeps)
			}
		})
	}
}

func TestChainBackoffIsFullJitter(t *testing.T) {
	f := newFixture(t, []string{"a"}, nil, WithBackoff(time.Second, 3*time.Second))
	f.chain.backoff.Rand = func(n int64) int64 { return n - 1 } // the top of each range
	f.streamers[0].steps = []scriptStep{failing(fail(500, true)), failing(fail(503, true)), answer("a", "ok")}
	if _, err := f.chain.Stream(t.Context(), core.ModelRequest{}, nil); err != nil {
		t.Fatalf("Stream: %v", err)
	}
	if got, want := f.clock.Sleeps(), []time.Duration{time.Second, 2 * time.Second}; !slices.Equal(got, want) {
		t.Errorf("sleeps = %v, want %v", got, want)
	}
}

func TestChainCancelledWhileWaiting(t *testing.T) {
	f := newFixture(t, []string{"a", "b"}, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	f.streamers[0].steps = []scriptStep{failing(fail(500, true))}
	_, err := f.chain.Stream(ctx, core.ModelRequest{}, nil)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrAllFailed) {
		t.Fatalf("err = %v, want context.Canceled and not ErrAllFailed", err)
	}
	if got := f.calls(); !slices.Equal(got, []int{1, 0}) {
		t.Errorf("calls = %v, want [1 0]", got)
	}
}

func TestBadRequestsDoNotTripTheBreaker(t *testing.T) {
	f := newFixture(t, []string{"a"}, func(p *Policy) { p.MaxRetries, p.Breaker.MinCalls, p.Breaker.MinConversations = 0, 1, 1 })
	f.streamers[0].steps = []scriptStep{failing(fail(400, false)), failing(fail(413, false))}
	for range 2 {
		if _, err := f.chain.Stream(t.Context(), core.ModelRequest{}, nil); !errors.Is(err, ErrAllFailed) {
			t.Fatalf("err = %v, want ErrAllFailed", err)
		}
	}
	if s := f.chain.States()[0].State; s != StateClosed {
		t.Fatalf("breaker = %s after bad requests, want closed", s)
	}
	if _, err := f.chain.Stream(t.Context(), core.ModelRequest{}, nil); !errors.Is(err, ErrAllFailed) {
		t.Fatal("scripted 500 did not fail")
	}
	if f.chain.Usable() {
		t.Error("chain usable after its only breaker opened")
	}
	_, err := f.chain.Stream(t.Context(), core.ModelRequest{}, nil)
	if !errors.Is(err, ErrBreakerOpen) {
		t.Errorf("err = %v, want ErrBreakerOpen", err)
	}
}

func TestNewRejects(t *testing.T) {
	m, err := NewMember(&scripted{}, testPolicy("a"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		chain   string
		members []*Member
	}{
		{"empty name", "", []*Member{m}},
		{"no providers", "general", nil},
		{"nil provider", "general", []*Member{nil}},
		{"duplicate", "general", []*Member{m, m}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.chain, tt.members); err == nil {
				t.Error("New accepted it")
			}
		})
	}
}

func TestNewMemberRejects(t *testing.T) {
	bad := testPolicy("a")
	bad.Breaker.FailureRatio = 2
	for name, tc := range map[string]struct {
		s core.Streamer
		p Policy
	}{
		"nil streamer": {nil, testPolicy("a")},
		"no name":      {&scripted{}, testPolicy("")},
		"bad breaker":  {&scripted{}, bad},
	} {
		if _, err := NewMember(tc.s, tc.p); err == nil {
			t.Errorf("%s: NewMember accepted it", name)
		}
	}
}

func TestMemberReportsBreakerState(t *testing.T) {
	m, err := NewMember(&scripted{}, testPolicy("a"), WithMetrics(cmetric.Discard()))
	if err != nil || m.Name() != "a" || m.State() != StateClosed {
		t.Fatalf("member %v %s %s", err, m.Name(), m.State())
	}
}
