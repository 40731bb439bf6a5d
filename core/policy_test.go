package core

import (
	"testing"
	"time"
)

// countRefused sends n messages from one user and counts the rate-limited
// refusals among the replies. Refusal notices are coalesced per user and
// window, so n beyond the first refusal would get no reply to wait for.
func countRefused(h *harness, prefix string, n int) int {
	h.t.Helper()
	for i := range n {
		h.send(msg("c1", prefix+string(rune('a'+i)), "hi"))
	}
	refused := 0
	for range n {
		if s := h.next(); s.reply.Refusal == RefusalRateLimited {
			refused++
		}
	}
	return refused
}

func TestSetPolicyReplacesTheRateLimit(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	cfg := testConfig()
	h := startHarness(t, cfg, nil, WithClock(func() time.Time { return now }))
	if got := countRefused(h, "open", 2); got != 0 {
		t.Fatalf("without a rate limit %d refused", got)
	}
	cfg.RatePerMinute, cfg.RateBurst = 1, 1
	if err := h.d.SetPolicy(cfg); err != nil {
		t.Fatal(err)
	}
	if got := countRefused(h, "limited", 2); got != 1 {
		t.Fatalf("after the reload %d refused, want 1", got)
	}
}

func TestSetPolicyKeepsBucketsWhenTheRateIsUnchanged(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	cfg := testConfig()
	cfg.RatePerMinute, cfg.RateBurst = 1, 1
	h := startHarness(t, cfg, nil, WithClock(func() time.Time { return now }))
	if got := countRefused(h, "first", 1); got != 0 {
		t.Fatalf("first message refused")
	}
	cfg.Allow = []string{"test:*"}
	if err := h.d.SetPolicy(cfg); err != nil {
		t.Fatal(err)
	}
	if got := countRefused(h, "second", 1); got != 1 {
		t.Fatal("a reload with the same rate refilled the user's bucket")
	}
}

func TestSetPolicyRefusesAnInvalidConfigWhole(t *testing.T) {
	cfg := testConfig()
	h := startHarness(t, cfg, nil)
	before := h.d.policy.Load()
	bad := cfg
	bad.Allow = []string{"test:*"}
	bad.RatePerMinute, bad.RateBurst = 5, 0 // invalid: no burst
	if err := h.d.SetPolicy(bad); err == nil {
		t.Fatal("SetPolicy accepted a config without rate_burst")
	}
	if h.d.policy.Load() != before {
		t.Fatal("an invalid config replaced part of the policy")
	}
}
