package store

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"imbot/core"
	"imbot/store/storage"
)

func TestAcceptDedup(t *testing.T) {
	base := envelope("c1", 1)
	sameEvent := envelope("c1", 2)
	sameEvent.EventID = base.EventID
	sameMessage := base
	sameMessage.EventID = "redelivery-77"
	otherChat := envelope("c2", 1)
	otherChat.EventID = ""
	otherPlatform := base
	otherPlatform.Platform = "feishu"

	tests := []struct {
		name string
		env  core.Envelope
		want bool
	}{
		{"first delivery", base, true},
		{"exact redelivery", base, false},
		{"same event id, new message", sameEvent, false},
		{"same message id, new event id", sameMessage, false},
		{"same message id in another chat", otherChat, true},
		{"same ids on another platform", otherPlatform, true},
	}
	s := openTest(t, testConfig(t))
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Accept(ctx, tt.env)
			if err != nil || got != tt.want {
				t.Fatalf("Accept = %v, %v; want %v, nil", got, err, tt.want)
			}
		})
	}
	pending, err := s.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []core.Envelope{base, otherChat, otherPlatform}
	if !slices.EqualFunc(pending, want, sameEnvelope) {
		t.Errorf("Pending = %+v, want %+v", pending, want)
	}
}

func sameEnvelope(a, b core.Envelope) bool {
	ra, rb := a.Received, b.Received
	a.Received, b.Received = time.Time{}, time.Time{}
	return a == b && ra.Equal(rb)
}

func TestAcceptDedupExpiry(t *testing.T) {
	clock := newFakeClock()
	cfg := testConfig(t)
	s := openTest(t, cfg, WithClock(clock.Now))
	ctx := context.Background()
	env := envelope("c1", 1)
	if ok, err := s.Accept(ctx, env); !ok || err != nil {
		t.Fatalf("first Accept = %v, %v", ok, err)
	}
	if err := s.Complete(ctx, turnFor(env, clock.Now())); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		advance time.Duration
		want    bool
	}{
		{7 * time.Hour, false},                  // inside Feishu's retry window
		{cfg.DedupTTL - 7*time.Hour - 1, false}, // one nanosecond before expiry
		{1, true},                               // expired: accepted again
		{cfg.DedupTTL - time.Nanosecond, false}, // the new marks hold
	}
	for i, st := range steps {
		clock.Advance(st.advance)
		got, err := s.Accept(ctx, env)
		if err != nil || got != st.want {
			t.Fatalf("step %d (+%v): Accept = %v, %v; want %v", i, st.advance, got, err, st.want)
		}
		if got {
			if err := s.Complete(ctx, turnFor(env, clock.Now())); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestAcceptPendingIsDuplicateAfterMarksExpire(t *testing.T) {
	clock := newFakeClock()
	cfg := testConfig(t)
	s := openTest(t, cfg, WithClock(clock.Now))
	ctx := context.Background()
	env := envelope("c1", 1)
	if ok, err := s.Accept(ctx, env); !ok || err != nil {
		t.Fatalf("Accept = %v, %v", ok, err)
	}
	clock.Advance(2 * cfg.DedupTTL)
	if ok, err := s.Accept(ctx, env); ok || err != nil {
		t.Fatalf("Accept of a still-pending envelope after its marks expired = %v, %v; want false", ok, err)
	}
}

func TestPendingOrderAndDrop(t *testing.T) {
	s := openTest(t, testConfig(t))
	ctx := context.Background()
	var want []core.Envelope
	// Message ids that sort differently from acceptance order.
	for _, n := range []int{30, 4, 200, 1, 17} {
		env := envelope("c"+strings.Repeat("z", n%3), n)
		if ok, err := s.Accept(ctx, env); !ok || err != nil {
			t.Fatalf("Accept(%d) = %v, %v", n, ok, err)
		}
		want = append(want, env)
	}
	got, err := s.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(got, want, sameEnvelope) {
		t.Fatalf("Pending order = %v, want %v", ids(got), ids(want))
	}

	if err := s.Drop(ctx, want[2]); err != nil {
		t.Fatal(err)
	}
	if err := s.Drop(ctx, want[2]); err != nil {
		t.Fatalf("second Drop: %v", err)
	}
	got, _ = s.Pending(ctx)
	want = slices.Delete(want, 2, 3)
	if !slices.EqualFunc(got, want, sameEnvelope) {
		t.Fatalf("Pending after Drop = %v, want %v", ids(got), ids(want))
	}
	if ok, _ := s.Accept(ctx, envelope("c"+strings.Repeat("z", 200%3), 200)); ok {
		t.Error("a dropped envelope was accepted again; its dedup marks must stay")
	}
}

func ids(envs []core.Envelope) []core.MessageID {
	out := make([]core.MessageID, len(envs))
	for i, e := range envs {
		out[i] = e.MessageID
	}
	return out
}

func TestAcceptSameEnvelopeConcurrently(t *testing.T) {
	s := openTest(t, testConfig(t))
	ctx := context.Background()
	const callers = 32
	for round := range 5 {
		env := envelope("race", round)
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			accepted int
			start    = make(chan struct{})
		)
		for range callers {
			wg.Go(func() {
				<-start
				ok, err := s.Accept(ctx, env)
				if err != nil {
					t.Errorf("Accept: %v", err)
				}
				if ok {
					mu.Lock()
					accepted++
					mu.Unlock()
				}
			})
		}
		close(start)
		wg.Wait()
		if accepted != 1 {
			t.Fatalf("round %d: %d of %d concurrent Accepts returned true, want exactly 1", round, accepted, callers)
		}
	}
	pending, err := s.Pending(ctx)
	if err != nil || len(pending) != 5 {
		t.Fatalf("Pending = %d envelopes, %v; want 5", len(pending), err)
	}
}

func TestInboxRejectsBadEnvelopes(t *testing.T) {
	noID := envelope("c1", 1)
	noID.MessageID = ""
	noPlatform := envelope("c1", 1)
	noPlatform.Platform = ""
	hugeChat := envelope(strings.Repeat("x", storage.MaxKeyLen), 1)

	s := openTest(t, testConfig(t))
	ctx := context.Background()
	for name, env := range map[string]core.Envelope{"no message id": noID, "no platform": noPlatform, "huge chat id": hugeChat} {
		t.Run(name, func(t *testing.T) {
			if ok, err := s.Accept(ctx, env); ok || err == nil {
				t.Errorf("Accept = %v, %v; want false and an error", ok, err)
			}
			if err := s.Complete(ctx, turnFor(env, time.Now())); err == nil {
				t.Error("Complete succeeded")
			}
			if err := s.Drop(ctx, env); err == nil {
				t.Error("Drop succeeded")
			}
		})
	}
}

func TestCanceledContext(t *testing.T) {
	s := openTest(t, testConfig(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if ok, err := s.Accept(ctx, envelope("c1", 1)); ok || err == nil {
		t.Errorf("Accept with a canceled ctx = %v, %v; want an error", ok, err)
	}
	if _, err := s.Pending(ctx); err == nil {
		t.Error("Pending with a canceled ctx succeeded")
	}
	if ok, err := s.Accept(context.Background(), envelope("c1", 1)); !ok || err != nil {
		t.Errorf("Accept after the canceled one = %v, %v; want true (nothing was written)", ok, err)
	}
}
