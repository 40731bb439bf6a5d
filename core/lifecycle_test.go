package core

import (
	"context"
	"errors"
	"testing"
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
