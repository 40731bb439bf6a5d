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
	// taken holds the replica ids another process has taken over.
	taken map[string]bool
	// released tells of every conversation lease Release gave up.
	released chan ConversationKey
}

// memLease is who holds a turn or a conversation, and until when; a turn
// is pinned while its owner waits for the conversation to run it.
type memLease struct {
	owner  string
	until  time.Time
	pinned bool
}

func newMemCluster(store *memStore, lease time.Duration) *memCluster {
	return &memCluster{store: store, lease: lease, turns: map[MessageID]memLease{},
		convs: map[ConversationKey]memLease{}, handovers: map[string]chan ConversationKey{}, dead: map[string]bool{},
		taken: map[string]bool{}, released: make(chan ConversationKey, 64)}
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

// takeOver makes another process hold replica id, as one started with the
// same id after id's presence expired would: id's renewals fail with
// ErrReplicaIDInUse, and its Resign gives nothing up.
func (c *memCluster) takeOver(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.taken[id] = true
}

// inUse is the error of a renewal by replica id after takeOver.
func inUse(id string) error {
	return &ReplicaIDInUseError{ReplicaID: id, Host: "other-host", PID: 42, Started: time.Unix(1700000000, 0)}
}

// memReplica is one replica's Coordinator on a memCluster.
type memReplica struct {
	c  *memCluster
	id string
	// adopted, when set, is called after every Adopt that claimed turns,
	// before it returns them.
	adopted func()
}

var _ Coordinator = (*memReplica)(nil)

func (l memLease) live(now time.Time) bool { return l.owner != "" && now.Before(l.until) }

// waitsElsewhere reports whether the turn is pinned to a live replica
// other than id.
func (l memLease) waitsElsewhere(id string, now time.Time) bool {
	return l.pinned && l.live(now) && l.owner != id
}

// holdConv leases conv to id when it is free, expired or id's already.
// c.mu is held.
func (c *memCluster) holdConv(id string, conv ConversationKey, now time.Time) bool {
	if l := c.convs[conv]; l.live(now) && l.owner != id {
		return false
	}
	c.convs[conv] = memLease{owner: id, until: now.Add(c.lease)}
	return true
}

// claim gives id the pending turns of conv that nobody alive owns, those
// pinned to id, those another replica ran unpinned, and with mine also
// those id owns. c.mu is held.
func (c *memCluster) claim(id string, conv ConversationKey, mine bool, now time.Time) []Envelope {
	var out []Envelope
	for _, env := range c.pendingOf(conv) {
		if !c.claimable(c.turns[env.MessageID], id, mine, now) {
			continue
		}
		c.turns[env.MessageID] = memLease{owner: id, until: now.Add(c.lease)}
		out = append(out, env)
	}
	return out
}

// claimable reports whether id may claim a turn leased as l.
func (c *memCluster) claimable(l memLease, id string, mine bool, now time.Time) bool {
	switch {
	case !l.live(now):
		return true
	case l.owner == id:
		return l.pinned || mine
	default:
		return !l.pinned
	}
}

func (r *memReplica) Recover(context.Context) ([]Envelope, error) {
	c := r.c
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	var out []Envelope
	for _, conv := range c.pendingConvs() {
		if c.holdConv(r.id, conv, now) {
			out = append(out, c.claim(r.id, conv, true, now)...)
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

func (r *memReplica) Accepted(_ context.Context, env Envelope, pinned bool) (bool, []Envelope, error) {
	c := r.c
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	conv := env.Conversation()
	if pinned {
		c.turns[env.MessageID] = memLease{owner: r.id, until: now.Add(c.lease), pinned: true}
	}
	if !c.holdConv(r.id, conv, now) {
		if !pinned {
			c.handovers[c.convs[conv].owner] <- conv
		}
		return false, nil, nil
	}
	return true, c.claim(r.id, conv, false, now), nil
}

func (r *memReplica) Adopt(_ context.Context, conv ConversationKey) ([]Envelope, error) {
	turns := r.adopt(conv)
	if len(turns) > 0 && r.adopted != nil {
		r.adopted()
	}
	return turns, nil
}

// adopt claims the turns of conv Adopt returns.
func (r *memReplica) adopt(conv ConversationKey) []Envelope {
	c := r.c
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	held := c.convs[conv].live(now) && c.convs[conv].owner == r.id
	if !held && !(c.waits(r.id, conv, now) && c.holdConv(r.id, conv, now)) {
		return nil
	}
	return c.claim(r.id, conv, false, now)
}

// waits reports whether turns of conv are pinned to id. c.mu is held.
func (c *memCluster) waits(id string, conv ConversationKey, now time.Time) bool {
	return slices.ContainsFunc(c.pendingOf(conv), func(env Envelope) bool {
		l := c.turns[env.MessageID]
		return l.pinned && l.live(now) && l.owner == id
	})
}

// pendingOf returns the pending turns of conv. c.mu is held.
func (c *memCluster) pendingOf(conv ConversationKey) []Envelope {
	pending, _ := c.store.Pending(context.Background())
	return slices.DeleteFunc(pending, func(env Envelope) bool { return env.Conversation() != conv })
}

func (r *memReplica) Release(_ context.Context, conv ConversationKey) ([]Envelope, error) {
	c := r.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead[r.id] || c.convs[conv].owner != r.id {
		return nil, nil
	}
	now := time.Now()
	turns := c.claim(r.id, conv, false, now)
	var waiting []string // replicas with turns of conv pinned to them
	for _, env := range c.pendingOf(conv) {
		l := c.turns[env.MessageID]
		if !l.waitsElsewhere(r.id, now) {
			return turns, nil // a turn this replica runs: the lease stays
		}
		waiting = append(waiting, l.owner)
	}
	delete(c.convs, conv)
	c.released <- conv
	for _, id := range waiting {
		c.handovers[id] <- conv
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
	if c.taken[r.id] {
		return nil, inUse(r.id)
	}
	now := time.Now()
	for k, l := range c.turns {
		if l.owner == r.id {
			l.until = now.Add(c.lease)
			c.turns[k] = l
		}
	}
	for k, l := range c.convs {
		if l.owner == r.id {
			c.convs[k] = memLease{owner: r.id, until: now.Add(c.lease)}
		}
	}
	var free []ConversationKey // with turns pinned here and no live holder
	for _, conv := range c.pendingConvs() {
		if l := c.convs[conv]; !l.live(now) && c.waits(r.id, conv, now) {
			free = append(free, conv)
		}
	}
	return free, nil
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
		if turns := c.claim(r.id, conv, false, now); len(turns) > 0 {
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
	if c.taken[r.id] {
		return nil
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
