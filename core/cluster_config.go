package core

import (
	"fmt"
	"math"
	"os"
	"time"
)

// ClusterConfig is the [cluster] section: how this replica takes part
// when several share one PostgreSQL store. One replica (bbolt) ignores it
// but for replicas, which divides the limits.
type ClusterConfig struct {
	// ReplicaID names this replica in every lease it holds; unique among
	// the replicas, and held by one process at a time: a process started
	// with an id another live process holds is refused. Keeping it across
	// restarts lets a restarted replica run its own unfinished turns at once
	// instead of after its leases expire.
	ReplicaID string `toml:"replica_id"`
	// Lease is how long a lease (conversation, pending turn, Telegram
	// polling) lasts without renewal: how soon the turns of a replica that
	// died are taken over. Leases are renewed, and dead replicas' turns
	// looked for, four times per lease.
	Lease time.Duration `toml:"lease"`
	// Replicas is how many replicas share the work: each divides the
	// per-user rate limit by it (rate_per_minute, rate_burst), so that a
	// user's messages spread over the replicas by the load balancer get
	// about the configured limit in all.
	Replicas int `toml:"replicas"`
}

// DefaultClusterConfig returns the defaults of [cluster]: the replica id
// is the host name and process id, the lease five seconds, one replica.
func DefaultClusterConfig() ClusterConfig {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "imbot"
	}
	return ClusterConfig{ReplicaID: fmt.Sprintf("%s-%d", host, os.Getpid()), Lease: 5 * time.Second, Replicas: 1}
}

// Validate reports every problem as "key: problem".
func (c ClusterConfig) Validate() []string {
	var p []string
	if c.ReplicaID == "" || len(c.ReplicaID) > 200 {
		p = append(p, "replica_id: must be 1 to 200 characters")
	}
	if c.Lease < 100*time.Millisecond || c.Lease > 10*time.Minute {
		p = append(p, "lease: must be between 100ms and 10m")
	}
	if c.Replicas < 1 {
		p = append(p, "replicas: must be at least 1")
	}
	return p
}

// Share returns d with this replica's share of the per-user rate limit:
// rate_per_minute divided by replicas, and rate_burst too (at least 1).
func (c ClusterConfig) Share(d DispatcherConfig) DispatcherConfig {
	if c.Replicas <= 1 {
		return d
	}
	d.RatePerMinute /= float64(c.Replicas)
	d.RateBurst = max(1, int(math.Ceil(float64(d.RateBurst)/float64(c.Replicas))))
	return d
}
