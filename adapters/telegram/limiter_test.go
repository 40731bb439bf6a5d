package telegram

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestGlobalLimiter(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	l := newLimiter(2, func() time.Time { return now })
	if !l.tryTake() || !l.tryTake() {
		t.Fatal("a second's worth of messages was refused")
	}
	if l.tryTake() {
		t.Fatal("a third message in the same instant was allowed")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("wait on a cancelled context = %v", err)
	}
	now = now.Add(500 * time.Millisecond)
	if !l.tryTake() {
		t.Fatal("the token of a cancelled wait was not given back")
	}
	if unlimited := newLimiter(0, time.Now); !unlimited.tryTake() || unlimited.wait(ctx) != nil {
		t.Fatal("a zero rate must not limit")
	}
}
