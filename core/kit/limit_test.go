package kit

import (
	"testing"
	"time"
)

func TestKeyedLimiterRefillsAndForgetsIdleKeys(t *testing.T) {
	r := NewKeyedLimiter(60, 2) // one a second, bursts of two
	now := time.Unix(1_000_000, 0)
	if !r.Allow("u", now) || !r.Allow("u", now) {
		t.Fatal("a burst of two was refused")
	}
	if r.Allow("u", now) {
		t.Fatal("a third call in the same instant was allowed")
	}
	if !r.Allow("other", now) {
		t.Fatal("one key's bucket limited another")
	}
	if !r.Allow("u", now.Add(time.Second)) {
		t.Fatal("no token after a second")
	}
	r.Allow("new", now.Add(time.Hour))
	if r.Len() != 1 {
		t.Fatalf("%d buckets after an hour idle, want only the new one", r.Len())
	}
	if NewKeyedLimiter(0, 5) != nil || !(*KeyedLimiter)(nil).Allow("u", now) {
		t.Fatal("a zero rate must disable the limiter")
	}
}
