package core

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"imbot/core/kit"
)

// A final reply whose send fails is sent again in the background, while the
// conversation's next turn runs; the turn is recorded at once.
func TestDispatcherResendsFailedReply(t *testing.T) {
	h := startHarness(t, testConfig(), nil)
	h.d.resendBackoff = kit.Backoff{Base: 50 * time.Millisecond, Max: 50 * time.Millisecond}
	h.a.failFinish("1", errors.New("send: 502"), errHeld)
	h.send(msg("c1", "1", "first"))
	h.send(msg("c1", "2", "second"))
	if s := h.next(); s.env.MessageID != "2" {
		t.Fatalf("first reply delivered was to %s, want the next turn's (2) while 1 is retried", s.env.MessageID)
	}
	close(h.a.held)
	if s := h.next(); s.env.MessageID != "1" || s.reply.Text != "echo: first" {
		t.Fatalf("retried reply %+v to %s", s.reply, s.env.MessageID)
	}
	msgs, err := h.store.Recent(context.Background(), msg("c1", "", "").Conversation(), 10)
	if err != nil || len(msgs) != 4 {
		t.Fatalf("history %d messages (%v), want both turns", len(msgs), err)
	}
}

// A reply the platform may have posted is not sent again.
func TestDispatcherDoesNotResendUncertainReply(t *testing.T) {
	h := startHarness(t, testConfig(), nil)
	h.d.resendBackoff = kit.Backoff{Base: time.Millisecond, Max: time.Millisecond}
	h.a.failFinish("1", fmt.Errorf("send: %w", ErrReplyUncertain))
	h.send(msg("c1", "1", "first"))
	h.none()
	// The turn is recorded after its worker moves on: wait for the record.
	waitUntil(t, "the turn to leave the pending records", func() bool { return h.store.pendingCount() == 0 })
}

// quietAdapter is a fakeAdapter that marks refusals without a notice.
type quietAdapter struct {
	*fakeAdapter
	quiet chan MessageID
}

func (q quietAdapter) RefuseQuietly(env Envelope, why Refusal) {
	if why == RefusalRateLimited {
		q.quiet <- env.MessageID
	}
}

// Refusals past the window's one notice reach an adapter that can mark them
// without a message.
func TestDispatcherRateLimitMarksQuietRefusals(t *testing.T) {
	cfg := testConfig()
	cfg.RatePerMinute, cfg.RateBurst = 1, 1
	store := newMemStore()
	q := quietAdapter{fakeAdapter: newFakeAdapter("test"), quiet: make(chan MessageID, 10)}
	d, err := NewDispatcher(cfg, store, store, &echoAnswerer{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, q) }()
	defer func() { cancel(); <-done }()
	deliver := <-q.deliver
	for i := range 4 {
		if err := deliver(context.Background(), msg("c1", fmt.Sprint(i), "hi")); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []MessageID{"2", "3"} {
		select {
		case id := <-q.quiet:
			if id != want {
				t.Fatalf("quiet refusal of %s, want %s", id, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no quiet refusal of %s", want)
		}
	}
}
