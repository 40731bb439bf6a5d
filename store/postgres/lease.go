package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"imbot/core/kit"
)

// renewsPerLease is how many times per lease a held lease is renewed and a
// wanted one is asked for.
const renewsPerLease = 4

// Lead blocks until this replica holds the leader lease name (another
// replica's expired lease is taken over), then renews it until it is lost
// or ctx ends. A renewal that fails ends held at once: a replica that
// cannot reach the database must stop the work before another takes over.
func (c *Cluster) Lead(ctx context.Context, name string) (context.Context, func(), error) {
	every := c.lease / renewsPerLease
	for {
		ok, err := c.takeLeader(ctx, name)
		if err != nil && ctx.Err() == nil {
			c.log.Warn("ask for leader lease", "lease", name, "err", err)
		}
		if ok {
			break
		}
		if err := kit.Sleep(ctx, every); err != nil {
			return nil, nil, err
		}
	}
	c.log.Info("leader lease taken", "lease", name, "replica", c.id)
	held, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer cancel()
		c.keepLeader(held, name)
	}()
	release := func() {
		cancel()
		<-done
		if _, err := c.pool.Exec(context.WithoutCancel(ctx),
			`DELETE FROM leader_leases WHERE name = $1 AND owner = $2`, name, c.id); err != nil {
			c.log.Warn("give up leader lease; it expires by itself", "lease", name, "err", err)
		}
	}
	return held, release, nil
}

// keepLeader renews the leader lease name until held ends or a renewal
// fails.
func (c *Cluster) keepLeader(held context.Context, name string) {
	for kit.Sleep(held, c.lease/renewsPerLease) == nil {
		ok, err := c.takeLeader(held, name)
		if held.Err() != nil {
			return
		}
		if !ok {
			c.log.Warn("leader lease lost", "lease", name, "err", err)
			return
		}
	}
}

// takeLeader takes or renews the leader lease name when it is free,
// expired or this replica's, and reports whether this replica holds it.
func (c *Cluster) takeLeader(ctx context.Context, name string) (bool, error) {
	err := c.pool.QueryRow(ctx, `
		INSERT INTO leader_leases AS l (name, owner, lease_until)
		VALUES ($1, $2, now() + $3::bigint * interval '1 millisecond')
		ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
		WHERE l.owner = EXCLUDED.owner OR l.lease_until < now()
		RETURNING 1`, name, c.id, c.leaseMillis()).Scan(new(int))
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, wrap("leader lease", err)
}
