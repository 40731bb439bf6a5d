package core

import (
	"testing"
	"time"
)

func TestRateLimiterRefillsAndForgetsIdleUsers(t *testing.T) {
	r := newRateLimiter(60, 2) // one a second, bursts of two
	now := time.Unix(1_000_000, 0)
	if !r.allow("u", now) || !r.allow("u", now) {
		t.Fatal("a burst of two was refused")
	}
	if r.allow("u", now) {
		t.Fatal("a third message in the same instant was allowed")
	}
	if !r.allow("other", now) {
		t.Fatal("one user's bucket limited another")
	}
	if !r.allow("u", now.Add(time.Second)) {
		t.Fatal("no token after a second")
	}
	r.allow("new", now.Add(time.Hour))
	if len(r.buckets) != 1 {
		t.Fatalf("%d buckets after an hour idle, want only the new one", len(r.buckets))
	}
	if newRateLimiter(0, 5) != nil || !(*rateLimiter)(nil).allow("u", now) {
		t.Fatal("a zero rate must disable the limiter")
	}
}
