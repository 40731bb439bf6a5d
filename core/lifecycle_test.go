package core

import (
	"context"
	"errors"
	"testing"
	"time"
)

// closed reports whether ch is closed, without waiting.
func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestLifecycleStates(t *testing.T) {
	var l lifecycle
	l.start(context.Background())
	defer l.cancel()
	enter := func() error { defer l.leave(); return l.enter() }
	if err := enter(); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("enter before open = %v, want ErrNotRunning", err)
	}
	l.open()
	if err := enter(); err != nil {
		t.Fatalf("enter while running = %v", err)
	}
	l.stop()
	if err := enter(); !errors.Is(err, ErrStopping) || !l.stopping() {
		t.Fatalf("enter after stop = %v, want ErrStopping", err)
	}
}

func TestLifecycleSignalsIdleWhenTheLastWorkEnds(t *testing.T) {
	var l lifecycle
	l.start(context.Background())
	defer l.cancel()
	l.open()
	l.begin()
	l.begin()
	l.end()
	l.begin()
	l.end()
	if closed(l.idle) {
		t.Fatal("idle before stopping")
	}
	l.stop()
	if closed(l.idle) || l.pending() != 1 {
		t.Fatalf("idle with %d piece(s) of work left", l.pending())
	}
	l.end()
	if !closed(l.idle) {
		t.Fatal("idle not signalled after the last work ended")
	}
}

func TestLifecycleStopWithoutWorkIsIdleAtOnce(t *testing.T) {
	var l lifecycle
	l.start(context.Background())
	defer l.cancel()
	l.open()
	l.stop()
	if !closed(l.idle) {
		t.Fatal("stop with no work did not signal idle")
	}
	if l.ctx.Err() != nil {
		t.Fatal("the turns' context ended before the drain gave up")
	}
}

// On shutdown the adapters keep running until the turns in flight have
// delivered their replies: a connection-based adapter must not close its
// clients' connections before their answers are out.
func TestShutdownKeepsAdaptersRunningWhileTurnsDrain(t *testing.T) {
	h := startHarness(t, testConfig(), nil)
	gate := h.ans.gate("slow")
	h.send(msg("c1", "1", "slow"))
	waitUntil(t, "the turn to start", func() bool { return len(h.ans.asked()) == 1 })
	go h.cancel()
	waitUntil(t, "shutdown to begin", h.d.life.stopping)
	select {
	case <-h.a.stopped:
		t.Fatal("the adapter's Run ended while a turn was still draining")
	case <-time.After(200 * time.Millisecond):
	}
	close(gate)
	if s := h.next(); s.reply.Text != "echo: slow" {
		t.Fatalf("reply %+v", s.reply)
	}
	select {
	case <-h.a.stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("the adapter's Run did not end after the drain")
	}
}

// waitUntil polls cond until it holds, failing the test after 10 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}
