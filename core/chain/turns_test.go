package chain

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"imbot/core"
)

func TestRetriesOfOneTurnCountOnce(t *testing.T) {
	// Defaults: min_calls 10, min_conversations 3, two retries per turn.
	f := newFixture(t, []string{"a"}, nil)
	for i := range 9 {
		_, err := f.chain.Stream(t.Context(), core.ModelRequest{Conversation: fmt.Sprintf("c%d", i)}, nil)
		if !errors.Is(err, ErrAllFailed) {
			t.Fatalf("turn %d: err = %v, want ErrAllFailed", i, err)
		}
	}
	if got := f.calls()[0]; got != 27 {
		t.Fatalf("provider calls = %d, want 27 (9 turns, each tried three times)", got)
	}
	if s := f.chain.States()[0].State; s != StateClosed {
		t.Fatalf("breaker = %s after 9 failed turns, want closed: retries must not count as calls", s)
	}
	if _, err := f.chain.Stream(t.Context(), core.ModelRequest{Conversation: "c9"}, nil); !errors.Is(err, ErrAllFailed) {
		t.Fatalf("10th turn: err = %v", err)
	}
	if s := f.chain.States()[0].State; s != StateOpen {
		t.Fatalf("breaker = %s after 10 failed turns from 10 conversations, want open", s)
	}
}

func TestOneConversationNeverOpensTheBreaker(t *testing.T) {
	var logs bytes.Buffer
	f := newFixture(t, []string{"a"}, func(p *Policy) { p.MaxRetries = 0 },
		WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	for range 20 {
		f.chain.Stream(t.Context(), core.ModelRequest{Conversation: "bad-user"}, nil)
	}
	if s := f.chain.States()[0].State; s != StateClosed {
		t.Fatalf("breaker = %s after one conversation's failures, want closed", s)
	}
	f.chain.Stream(t.Context(), core.ModelRequest{Conversation: "second"}, nil)
	if s := f.chain.States()[0].State; s != StateClosed {
		t.Fatalf("breaker = %s after two conversations' failures, want closed", s)
	}
	f.chain.Stream(t.Context(), core.ModelRequest{Conversation: "third"}, nil)
	if s := f.chain.States()[0].State; s != StateOpen {
		t.Fatalf("breaker = %s after three conversations' failures, want open", s)
	}
	for _, want := range []string{"circuit breaker opened", "reason=failure_ratio", "calls=22", "failures=22", "conversations=3"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

func TestOtherConversationsSuccessesKeepTheBreakerClosed(t *testing.T) {
	b := newTestBreaker(newFakeClock(), func(c *BreakerConfig) { c.MinCalls, c.MinConversations = 10, 3 })
	for i := range 30 {
		p, _ := b.Allow(fmt.Sprintf("user%d", i))
		b.Done(p, OutcomeSuccess)
		p, _ = b.Allow("bad")
		b.Done(p, OutcomeFailure)
	}
	if s := b.State(); s != StateClosed {
		t.Fatalf("state = %s, want closed", s)
	}
}

func TestTripReason(t *testing.T) {
	tests := []struct {
		trip   Trip
		reason string
		ratio  float64
	}{
		{Trip{Probe: true}, "probe_failed", 0},
		{Trip{Calls: 10, Failures: 6, Conversations: 3}, "failure_ratio", 0.6},
	}
	for _, tt := range tests {
		if got := tt.trip.Reason(); got != tt.reason {
			t.Errorf("%+v: reason %q, want %q", tt.trip, got, tt.reason)
		}
		if got := tt.trip.Ratio(); got != tt.ratio {
			t.Errorf("%+v: ratio %g, want %g", tt.trip, got, tt.ratio)
		}
	}
}
