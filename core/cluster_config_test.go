package core

import (
	"strings"
	"testing"
	"time"
)

func TestClusterConfigValidate(t *testing.T) {
	if p := DefaultClusterConfig().Validate(); len(p) != 0 {
		t.Fatalf("defaults: %v", p)
	}
	bad := ClusterConfig{Lease: time.Millisecond}
	got := strings.Join(bad.Validate(), "\n")
	for _, key := range []string{"replica_id:", "lease:", "replicas:"} {
		if !strings.Contains(got, key) {
			t.Errorf("no problem reported for %s in %q", key, got)
		}
	}
}

func TestClusterConfigSharesTheRateLimit(t *testing.T) {
	d := DefaultDispatcherConfig()
	d.RatePerMinute, d.RateBurst = 30, 5
	for _, tt := range []struct {
		replicas  int
		perMinute float64
		burst     int
	}{{1, 30, 5}, {3, 10, 2}, {10, 3, 1}} {
		got := ClusterConfig{Replicas: tt.replicas}.Share(d)
		if got.RatePerMinute != tt.perMinute || got.RateBurst != tt.burst {
			t.Errorf("%d replicas: %v per minute, burst %d; want %v, %d", tt.replicas, got.RatePerMinute, got.RateBurst, tt.perMinute, tt.burst)
		}
	}
}
