package core

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// memCluster is an in-memory Coordinator backend shared by several
// dispatchers ("replicas") on one memStore: it keeps the owner and lease of
// every pending turn and of every conversation, as the PostgreSQL tables
// do.
type memCluster struct {
	store *memStore
	lease time.Duration

	mu        sync.Mutex
	turns     map[MessageID]memLease
	convs     map[ConversationKey]memLease
	handovers map[string]chan ConversationKey
	dead      map[string]bool
	// released tells of every conversation lease Release gave up.
	released chan ConversationKey
}

// memLease is who holds a turn or a conversation, and until when.
type memLease struct {
	owner string
	until time.Time
}

func newMemCluster(store *memStore, lease time.Duration) *memCluster {
	return &memCluster{store: store, lease: lease, turns: map[MessageID]memLease{},
		convs: map[ConversationKey]memLease{}, handovers: map[string]chan ConversationKey{}, dead: map[string]bool{},
		released: make(chan ConversationKey, 64)}
}

// replica returns the coordinator of the replica named id.
func (c *memCluster) replica(id string) *memReplica {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.handovers[id] = make(chan ConversationKey, 64)
	return &memReplica{c: c, id: id}
}

// kill makes replica id stop renewing or giving up anything, as a process
// killed with SIGKILL would.
func (c *memCluster) kill(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dead[id] = true
}

var errDead = errors.New("replica is dead")

// memReplica is one replica's Coordinator on a memCluster.
type memReplica struct {
	c  *memCluster
	id string
}

var _ Coordinator = (*memReplica)(nil)

func (l memLease) live(now time.Time) bool { return l.owner != "" && now.Before(l.until) }

// holdConv leases conv to id when it is free, expired or id's already.
// c.mu is held.
func (c *memCluster) holdConv(id string, conv ConversationKey, now time.Time) bool {
	if l := c.convs[conv]; l.live(now) && l.owner != id {
		return false
	}
	c.convs[conv] = memLease{owner: id, until: now.Add(c.lease)}
	return true
}

// claim gives id the pending turns of conv (every conversation when conv
// is nil) that nobody alive owns, and with mine also those id owns.
// c.mu is held.
func (c *memCluster) claim(id string, conv *ConversationKey, mine bool, now time.Time) []Envelope {
	pending, _ := c.store.Pending(context.Background())
	var out []Envelope
	for _, env := range pending {
		if conv != nil && env.Conversation() != *conv {
			continue
		}
		l := c.turns[env.MessageID]
		if l.live(now) && !(mine && l.owner == id) {
			continue
		}
		c.turns[env.MessageID] = memLease{owner: id, until: now.Add(c.lease)}
		out = append(out, env)
	}
	return out
}

func (r *memReplica) Recover(context.Context) ([]Envelope, error) {
	c := r.c
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	var out []Envelope
	for _, conv := range c.pendingConvs() {
		if c.holdConv(r.id, conv, now) {
			out = append(out, c.claim(r.id, &conv, true, now)...)
		}
	}
	return out, nil
}

// pendingConvs lists the conversations with pending turns. c.mu is held.
func (c *memCluster) pendingConvs() []ConversationKey {
	pending, _ := c.store.Pending(context.Background())
	var convs []ConversationKey
	for _, env := range pending {
		if !slices.Contains(convs, env.Conversation()) {
			convs = append(convs, env.Conversation())
		}
	}
	return convs
}

func (r *memReplica) Accepted(_ context.Context, env Envelope) (bool, []Envelope, error) {
	c := r.c
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	conv := env.Conversation()
	if !c.holdConv(r.id, conv, now) {
		c.handovers[c.convs[conv].owner] <- conv
		return false, nil, nil
	}
	return true, c.claim(r.id, &conv, false, now), nil
}

func (r *memReplica) Adopt(_ context.Context, conv ConversationKey) ([]Envelope, error) {
	c := r.c
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if l := c.convs[conv]; !l.live(now) || l.owner != r.id {
		return nil, nil
	}
	return c.claim(r.id, &conv, false, now), nil
}

func (r *memReplica) Release(_ context.Context, conv ConversationKey) ([]Envelope, error) {
	c := r.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead[r.id] || c.convs[conv].owner != r.id {
		return nil, nil
	}
	turns := c.claim(r.id, &conv, false, time.Now())
	if !slices.Contains(c.pendingConvs(), conv) {
		delete(c.convs, conv)
		c.released <- conv
	}
	return turns, nil
}

func (r *memReplica) Renew(context.Context) ([]ConversationKey, error) {
	c := r.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead[r.id] {
		return nil, errDead
	}
	until := time.Now().Add(c.lease)
	for k, l := range c.turns {
		if l.owner == r.id {
			c.turns[k] = memLease{owner: r.id, until: until}
		}
	}
	for k, l := range c.convs {
		if l.owner == r.id {
			c.convs[k] = memLease{owner: r.id, until: until}
		}
	}
	return nil, nil
}

func (r *memReplica) Takeover(_ context.Context, max int) ([]Envelope, error) {
	c := r.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead[r.id] {
		return nil, errDead
	}
	now := time.Now()
	var out []Envelope
	for _, conv := range c.pendingConvs() {
		if len(out) >= max {
			break
		}
		if l := c.convs[conv]; l.live(now) {
			continue
		}
		if turns := c.claim(r.id, &conv, false, now); len(turns) > 0 {
			c.holdConv(r.id, conv, now)
			out = append(out, turns...)
		}
	}
	return out, nil
}

func (r *memReplica) Resign(context.Context) error {
	c := r.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead[r.id] {
		return errDead
	}
	for k, l := range c.turns {
		if l.owner == r.id {
			delete(c.turns, k)
		}
	}
	for k, l := range c.convs {
		if l.owner == r.id {
			delete(c.convs, k)
		}
	}
	return nil
}

func (r *memReplica) Handovers() <-chan ConversationKey {
	r.c.mu.Lock()
	defer r.c.mu.Unlock()
	return r.c.handovers[r.id]
}

func (r *memReplica) Lease() time.Duration { return r.c.lease }
