package core

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Coordinator lets several replicas that share one store behave as one
// node. Every pending turn and every conversation with queued turns is
// leased to one replica at a time: the replica holding a conversation runs
// its turns, in order, and coalesces its bursts; a replica that accepts a
// message for a conversation another live replica holds hands the message
// over to it, unless the message is pinned to the replica that accepted it
// (its adapter replies only through connections held there, see
// LocalReplier): then that replica waits for the conversation's lease and
// runs the turn itself, after the turns the holder ran. The pending turns of
// a replica that died (its leases expired), pinned ones included, are taken
// over by another and answered there, through the same path as a replay at
// start (kept answers and reply refs included).
//
// The dispatcher calls its methods from several goroutines at once;
// implementations are safe for concurrent use. SingleNode is the
// implementation for one replica.
type Coordinator interface {
	// Recover returns, once at start, the pending turns this replica runs
	// before any new message, in the order they were accepted: on one node
	// every pending turn; in a cluster those this replica's id owned before
	// a restart and those whose owner died, their conversations now leased
	// here.
	Recover(ctx context.Context) ([]Envelope, error)
	// Accepted leases env's conversation to this replica, env having just
	// been accepted here, and reports whether this replica holds it. When
	// it does, turns are the conversation's pending turns this replica runs
	// from now on, env among them, in the order they were accepted. When
	// another live replica holds the conversation, owned is false: an
	// unpinned env is handed over to that replica (it is told to pick env
	// up); a pinned env stays with this replica, which waits for the
	// conversation and runs env once the holder gives the lease up (see
	// Adopt). The holder never claims a pinned turn while its replica lives.
	Accepted(ctx context.Context, env Envelope, pinned bool) (owned bool, turns []Envelope, err error)
	// Adopt returns the pending turns of conv that this replica runs from
	// now on, in the order they were accepted: when it holds conv, those
	// other replicas handed over since they were last adopted; when pinned
	// turns of conv wait here and no live replica holds conv, it leases
	// conv and returns them with the turns nobody claimed.
	Adopt(ctx context.Context, conv ConversationKey) ([]Envelope, error)
	// Release gives up the lease on conv once this replica has no queued
	// turn of it left. The lease stays while pending turns of conv remain,
	// other than turns pinned to other live replicas; those replicas are
	// told (Handovers) that conv is free. Turns handed over meanwhile are
	// returned, and this replica runs them.
	Release(ctx context.Context, conv ConversationKey) ([]Envelope, error)
	// Renew extends every lease this replica holds, its pinned turns' too,
	// and marks it alive. It returns the conversations to adopt: those it
	// holds with handed-over turns waiting, and those no live replica holds
	// with pinned turns waiting here; the fallback for a lost signal. When
	// another process has taken this replica's id over, it extends nothing
	// and returns an error matching ErrReplicaIDInUse: the dispatcher stops.
	Renew(ctx context.Context) ([]ConversationKey, error)
	// Takeover leases to this replica conversations whose holder died (its
	// leases expired) and that have pending turns, and returns those turns,
	// up to about max of them, grouped by conversation in the order they
	// were accepted.
	Takeover(ctx context.Context, max int) ([]Envelope, error)
	// Resign gives up every lease this replica holds, at a clean stop, so
	// that other replicas take its unfinished turns over without waiting
	// for the leases to expire, and lets a process starting with its id
	// start at once. When another process has taken the id over, it gives
	// up nothing: the id's leases are that process's.
	Resign(ctx context.Context) error
	// Handovers signals the conversations this replica holds for which
	// another replica accepted messages, and those given up by a replica
	// while pinned turns of them wait here; the dispatcher adopts them. Nil
	// when no other replica exists.
	Handovers() <-chan ConversationKey
	// Lease is how long a lease lasts without renewal; the dispatcher
	// renews and takes over four times per lease. Zero on one node: there
	// is nothing to renew or take over.
	Lease() time.Duration
}

// ErrReplicaIDInUse is what a *ReplicaIDInUseError matches with errors.Is:
// another process holds this replica's id.
var ErrReplicaIDInUse = errors.New("replica id in use by another process")

// ReplicaIDInUseError reports the process that holds a replica id: found
// by a replica that starts with an id another live process holds, or by a
// renewal after another process took the id over. Two processes with one
// id would run the same turns and answer them twice, so the process that
// gets this error must not run under the id.
type ReplicaIDInUseError struct {
	// ReplicaID is the id both processes were given.
	ReplicaID string
	// Host, PID and Started name the process that holds it: its host name,
	// process id, and when it took the id (by the database's clock).
	Host    string
	PID     int
	Started time.Time
}

// Error names the id and its holder and says what the operator can do.
func (e *ReplicaIDInUseError) Error() string {
	return fmt.Sprintf("[cluster] replica_id %q is in use by another imbot process (host %s, pid %d, running since %s): "+
		"give each replica its own replica_id, or stop the other process first",
		e.ReplicaID, e.Host, e.PID, e.Started.UTC().Format(time.RFC3339))
}

// Is reports whether target is ErrReplicaIDInUse.
func (e *ReplicaIDInUseError) Is(target error) bool { return target == ErrReplicaIDInUse }

// SingleNode is the Coordinator of a dispatcher that is the only replica
// of its store (the bbolt store): it holds every conversation and has no
// peers, so the dispatcher behaves as if there were no coordination at all.
type SingleNode struct {
	// Inbox is the store whose pending turns Recover returns.
	Inbox Inbox
}

var _ Coordinator = SingleNode{}

// Recover returns every pending turn of the inbox.
func (s SingleNode) Recover(ctx context.Context) ([]Envelope, error) { return s.Inbox.Pending(ctx) }

// Accepted holds every conversation: env is the only turn it returns.
func (SingleNode) Accepted(_ context.Context, env Envelope, _ bool) (bool, []Envelope, error) {
	return true, []Envelope{env}, nil
}

// Adopt returns nothing: no other replica hands turns over.
func (SingleNode) Adopt(context.Context, ConversationKey) ([]Envelope, error) { return nil, nil }

// Release returns nothing: there is no lease to give up.
func (SingleNode) Release(context.Context, ConversationKey) ([]Envelope, error) { return nil, nil }

// Renew does nothing.
func (SingleNode) Renew(context.Context) ([]ConversationKey, error) { return nil, nil }

// Takeover returns nothing: no other replica can die.
func (SingleNode) Takeover(context.Context, int) ([]Envelope, error) { return nil, nil }

// Resign does nothing.
func (SingleNode) Resign(context.Context) error { return nil }

// Handovers returns nil.
func (SingleNode) Handovers() <-chan ConversationKey { return nil }

// Lease returns zero.
func (SingleNode) Lease() time.Duration { return 0 }
