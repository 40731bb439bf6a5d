package main

import (
	"context"
	"fmt"

	"imbot/core"
	"imbot/store/postgres"
)

// coordination is how this replica shares the work with the others on its
// store: one node (bbolt) coordinates with nobody.
type coordination struct {
	coordinator core.Coordinator
	leader      core.Leadership
	cluster     *postgres.Cluster // nil on one node
}

// openCoordination returns the PostgreSQL coordinator of [cluster] when
// the daemon's store is the PostgreSQL one, and makes the knowledge base
// shared by the replicas; otherwise the single-node coordination.
func (d *daemon) openCoordination(ctx context.Context) (coordination, error) {
	var inbox core.Inbox = d.store
	pg, ok := inbox.(*postgres.Store)
	if !ok {
		return coordination{coordinator: core.SingleNode{Inbox: inbox}, leader: core.Alone{}}, nil
	}
	cc := d.cfg.Cluster
	c, err := postgres.OpenCluster(ctx, pg, cc.ReplicaID, cc.Lease, postgres.WithClusterLogger(d.log.With("component", "cluster")))
	if err != nil {
		return coordination{}, err
	}
	if err := d.knowledge.Share(ctx, c); err != nil {
		c.Close()
		return coordination{}, fmt.Errorf("knowledge base: %w", err)
	}
	d.log.Info("replica joined", "replica_id", cc.ReplicaID, "lease", cc.Lease.String(), "replicas", cc.Replicas)
	return coordination{coordinator: c, leader: c, cluster: c}, nil
}

// followKnowledge reloads the knowledge base whenever another replica
// announces a change, until the returned function is called (it waits for
// the loop to end). It does nothing on one node.
func (d *daemon) followKnowledge(ctx context.Context) (stop func()) {
	if d.coord.cluster == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-d.coord.cluster.KnowledgeChanges():
				if err := d.knowledge.Refresh(ctx); err != nil {
					d.log.Error("reload knowledge base changed by another replica", "err", err)
				}
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// announceKnowledge tells the other replicas, if any, that a reload here
// changed the knowledge base.
func (d *daemon) announceKnowledge(ctx context.Context) {
	if err := d.knowledge.Announce(ctx); err != nil {
		d.log.Warn("other replicas not told of the reload; they reload at their next announcement", "err", err)
	}
}

// closeCoordination stops listening to the other replicas.
func (c coordination) close() {
	if c.cluster != nil {
		c.cluster.Close()
	}
}
