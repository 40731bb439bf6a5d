package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"time"

	"imbot/core"
	"imbot/core/kit"
)

// A replica's presence is its id's row of replicas, naming the one process
// that runs under the id (migration 0005). The process takes it at start,
// renews it with its other leases and deletes it when it stops; every lease
// of the id is that process's while it holds the presence.

// WithClaimWait sets how long OpenCluster waits for another live process
// that holds the replica id to let it go before it gives up (default: a
// lease and a quarter, in which the presence of a process that died
// expires).
func WithClaimWait(d time.Duration) ClusterOption { return func(c *Cluster) { c.claimWait = d } }

// process is who this process is in its presence row.
type process struct {
	instance string // random, chosen at start
	host     string
	pid      int
}

// thisProcess returns a new instance token with this process's host name
// and process id.
func thisProcess() process {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return process{instance: rand.Text(), host: host, pid: os.Getpid()}
}

// presenceSQL takes replica $1's presence for instance $2 (host $3, pid
// $4) for $5 milliseconds when the row is absent, expired or already $2's,
// and returns the row's instance, host, pid and start either way.
const presenceSQL = `
	WITH taken AS (
		INSERT INTO replicas AS r (id, instance, host, pid, started, seen, lease_until)
		VALUES ($1, $2, $3, $4, now(), now(), now() + $5::bigint * interval '1 millisecond')
		ON CONFLICT (id) DO UPDATE SET instance = EXCLUDED.instance, host = EXCLUDED.host, pid = EXCLUDED.pid,
			started = CASE WHEN r.instance = EXCLUDED.instance THEN r.started ELSE EXCLUDED.started END,
			seen = EXCLUDED.seen, lease_until = EXCLUDED.lease_until
		WHERE r.instance = EXCLUDED.instance OR r.lease_until < now()
		RETURNING instance, host, pid, started)
	SELECT instance, host, pid, started FROM taken
	UNION ALL
	SELECT instance, host, pid, started FROM replicas WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM taken)`

// hold takes or renews this process's presence through q. When another
// live process holds the replica id, it returns a *core.ReplicaIDInUseError
// naming that process.
func (c *Cluster) hold(ctx context.Context, q dbtx) error {
	var holder process
	var started time.Time
	err := takeOrRead(ctx, q, "replica presence", presenceSQL,
		[]any{c.id, c.me.instance, c.me.host, c.me.pid, c.leaseMillis()},
		&holder.instance, &holder.host, &holder.pid, &started)
	if err != nil || holder.instance == c.me.instance {
		return err
	}
	return &core.ReplicaIDInUseError{ReplicaID: c.id, Host: holder.host, PID: holder.pid, Started: started}
}

// join takes this process's presence at start. While another live process
// holds the id, it asks again four times per lease for up to c.claimWait,
// then returns the *core.ReplicaIDInUseError naming that process.
func (c *Cluster) join(ctx context.Context) error {
	err := c.hold(ctx, c.pool)
	if !errors.Is(err, core.ErrReplicaIDInUse) {
		return err
	}
	c.log.Warn("replica id in use by another process; waiting for it to stop renewing it",
		"replica_id", c.id, "wait", c.claimWait.String(), "err", err)
	deadline := time.Now().Add(c.claimWait)
	for errors.Is(err, core.ErrReplicaIDInUse) && time.Until(deadline) > 0 {
		if err := kit.Sleep(ctx, min(c.lease/renewsPerLease, time.Until(deadline))); err != nil {
			return err
		}
		err = c.hold(ctx, c.pool)
	}
	if errors.Is(err, core.ErrReplicaIDInUse) {
		return wrap("replica id still in use after waiting "+c.claimWait.String(), err)
	}
	return err
}

// leave deletes this process's presence, so that a process starting with
// the replica id starts at once, and reports whether this process held it.
func (c *Cluster) leave(ctx context.Context, q dbtx) (bool, error) {
	tag, err := q.Exec(ctx, `DELETE FROM replicas WHERE id = $1 AND instance = $2`, c.id, c.me.instance)
	return err == nil && tag.RowsAffected() > 0, err
}
