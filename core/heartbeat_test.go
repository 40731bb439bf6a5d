package core

import (
	"context"
	"testing"
	"time"
)

// waitAlive waits until d.Alive reports alive (nil) or not, failing the
// test after a deadline.
func waitAlive(t *testing.T, d *Dispatcher, alive bool) {
	t.Helper()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(5 * time.Second)
	for (d.Alive(context.Background()) == nil) != alive {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("Alive = %v, want alive %v", d.Alive(context.Background()), alive)
		}
	}
}

// beatsSeen waits for n more beats of d's supervisor.
func beatsSeen(t *testing.T, d *Dispatcher, n int) {
	t.Helper()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(5 * time.Second)
	last := d.beat.last.Load()
	for seen := 0; seen < n; {
		select {
		case <-tick.C:
			if b := d.beat.last.Load(); b != last {
				seen, last = seen+1, b
			}
		case <-deadline:
			t.Fatalf("saw %d beats, want %d", seen, n)
		}
	}
}

func TestHeartbeatOnlyWhileRunning(t *testing.T) {
	h := startHarness(t, testConfig(), nil, WithHeartbeat(5*time.Millisecond))
	waitAlive(t, h.d, true)
	h.stop()
	if err := h.d.Alive(context.Background()); err == nil {
		t.Fatal("Alive after Run returned = nil, want an error")
	}
}

func TestHeartbeatGoesOnDuringALongTurn(t *testing.T) {
	h := startHarness(t, testConfig(), nil, WithHeartbeat(5*time.Millisecond))
	gate := h.ans.gate("slow")
	h.send(msg("c1", "m1", "slow"))
	beatsSeen(t, h.d, 2*staleBeats) // the turn waits on its gate meanwhile
	if err := h.d.Alive(context.Background()); err != nil {
		t.Fatalf("Alive during a long turn = %v", err)
	}
	close(gate)
	h.next()
}

func TestHeartbeatStopsWhenTheQueueLockWedges(t *testing.T) {
	h := startHarness(t, testConfig(), nil, WithHeartbeat(5*time.Millisecond))
	waitAlive(t, h.d, true)
	h.d.mu.Lock() // a wedged lock, as a deadlock in the dispatcher would leave it
	waitAlive(t, h.d, false)
	h.d.mu.Unlock()
	waitAlive(t, h.d, true)
}
