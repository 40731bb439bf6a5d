package core

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// The dispatcher's side of coordination (see Coordinator): which turns this
// replica runs, and the loop that keeps its leases, adopts handed-over
// turns and takes over the turns of replicas that died.

// renewsPerLease is how often per lease the dispatcher renews its leases
// and looks for turns to take over.
const renewsPerLease = 4

// WithCoordinator makes the dispatcher one replica among those c
// coordinates; the default is SingleNode on the dispatcher's inbox.
func WithCoordinator(c Coordinator) DispatcherOption {
	return func(d *Dispatcher) { d.coord = c }
}

// handOver gives a message just accepted (its queue slot reserved) to the
// coordinator: when this replica holds its conversation, the message and
// any turns handed over with it are queued here; otherwise it waits for
// the replica that holds the conversation, or, pinned here, for that
// replica to give the conversation up. A failure to lease the conversation
// leaves the message pending, where a takeover (this replica's included) or,
// pinned, this replica's renewal finds it.
func (d *Dispatcher) handOver(ctx context.Context, env Envelope, log *slog.Logger) {
	defer d.claims.lock(env.Conversation())()
	pinned := d.pinned(env)
	owned, turns, err := d.coord.Accepted(context.WithoutCancel(ctx), env, pinned)
	d.unreserve() // the turns queued below reserve their own slots
	switch {
	case err != nil:
		log.Error("lease conversation; the message waits pending for a takeover", "err", err)
	case !owned && pinned:
		log.Debug("conversation held by another replica; the message waits here for its lease")
	case !owned:
		log.Debug("conversation held by another replica; message handed over")
	default:
		d.take(ctx, turns, &env)
	}
}

// pinned reports whether env's turn must run on this replica: its adapter
// replies only through connections held here.
func (d *Dispatcher) pinned(env Envelope) bool {
	l, ok := d.adapters[env.Platform].(LocalReplier)
	return ok && l.RepliesLocally()
}

// take queues turns this replica now runs, as the replay at start does.
// accepted, when not nil, is the message Deliver just took: it is queued as
// Deliver prepared it.
func (d *Dispatcher) take(ctx context.Context, turns []Envelope, accepted *Envelope) {
	for i, t := range turns {
		if accepted != nil && sameMessage(t, *accepted) {
			turns[i] = *accepted
		}
	}
	d.replay(ctx, turns)
}

// sameMessage reports whether a and b are the same platform message.
func sameMessage(a, b Envelope) bool {
	return a.Platform == b.Platform && a.ChatID == b.ChatID && a.MessageID == b.MessageID
}

// coordinate keeps this replica's leases until stop is closed: it renews
// them and adopts turns handed over, and, until shutdown begins, takes over
// the turns of replicas that died. It returns at once on one node, and after
// sending the error to lost when a renewal finds this replica's id taken
// over by another process.
func (d *Dispatcher) coordinate(ctx context.Context, stop <-chan struct{}, lost chan<- error) {
	lease := d.coord.Lease()
	if lease <= 0 {
		return
	}
	tick := time.NewTicker(lease / renewsPerLease)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case conv := <-d.coord.Handovers():
			d.adopt(ctx, conv)
		case <-tick.C:
			if err := d.renew(ctx); err != nil {
				lost <- err
				return
			}
		}
	}
}

// renew extends the leases, adopts what a lost handover signal left
// waiting and, unless shutting down, takes over what dead replicas left.
// It returns an error only when another process has taken this replica's
// id over: this one must stop, or both would answer the id's turns.
func (d *Dispatcher) renew(ctx context.Context) error {
	convs, err := d.coord.Renew(ctx)
	if errors.Is(err, ErrReplicaIDInUse) {
		d.log.Error("another process took this replica's id over; stopping at once so that no turn is answered twice", "err", err)
		return err
	}
	if err != nil {
		d.log.Error("renew leases", "err", err)
		return nil
	}
	for _, conv := range convs {
		d.adopt(ctx, conv)
	}
	d.takeover(ctx)
	return nil
}

// takeover runs the pending turns of replicas that died, as many as the
// queue has room for.
func (d *Dispatcher) takeover(ctx context.Context) {
	room := d.cfg.MaxQueued - int(d.queued.Load())
	if room <= 0 {
		return
	}
	turns, err := d.admit(ctx, d.claims.lockAll, func() ([]Envelope, error) { return d.coord.Takeover(ctx, room) })
	if err != nil {
		d.log.Error("take over pending turns", "err", err)
	}
	if len(turns) > 0 {
		d.log.Info("took over pending turns of a replica that stopped", "count", len(turns))
	}
}

// adopt queues the turns of conv this replica runs from now on: those
// other replicas handed over, or those pinned here once conv is free.
func (d *Dispatcher) adopt(ctx context.Context, conv ConversationKey) {
	lock := func() func() { return d.claims.lock(conv) }
	if _, err := d.admit(ctx, lock, func() ([]Envelope, error) { return d.coord.Adopt(ctx, conv) }); err != nil {
		d.log.Error("adopt handed-over turns", "conversation", conv.Label(), "err", err)
	}
}

// admit claims turns with claim and queues them, also those claimed before
// claim failed. It does so under the lifecycle's intake lock, and not at
// all once shutdown has begun: what is left stays pending, and Resign lets
// another replica run it. lock orders it with the other claims of the
// conversations concerned (claimLocks).
func (d *Dispatcher) admit(ctx context.Context, lock func() (unlock func()), claim func() ([]Envelope, error)) ([]Envelope, error) {
	err := d.life.enter()
	defer d.life.leave()
	if err != nil {
		return nil, nil
	}
	defer lock()()
	turns, err := claim()
	d.take(ctx, turns, nil)
	return turns, err
}

// release gives up the lease on conv, whose queue here just emptied, and
// returns the turns handed over meanwhile (this replica runs them).
func (d *Dispatcher) release(ctx context.Context, conv ConversationKey) []Envelope {
	turns, err := d.coord.Release(context.WithoutCancel(ctx), conv)
	if err != nil {
		d.log.Error("release conversation; its lease expires by itself", "conversation", conv.Label(), "err", err)
	}
	for i := range turns {
		turns[i].Lang = d.picker.Pick(turns[i].Sender(), turns[i].Text, turns[i].LangHint)
	}
	return turns
}

// resign gives up this replica's leases once its turns are done or cut
// off, so that another replica runs what is left at once.
func (d *Dispatcher) resign(ctx context.Context) {
	if d.coord.Lease() <= 0 {
		return
	}
	if err := d.coord.Resign(context.WithoutCancel(ctx)); err != nil {
		d.log.Error("give up leases; they expire by themselves", "err", err)
	}
}
