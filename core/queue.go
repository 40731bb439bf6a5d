package core

import "context"

// enqueue appends env to its conversation's FIFO and schedules the
// conversation when it was idle. The caller has reserved a queue slot; the
// turn counts as work until it ends.
func (d *Dispatcher) enqueue(env Envelope) {
	d.life.begin()
	key := env.Conversation()
	d.mu.Lock()
	defer d.mu.Unlock()
	q, ok := d.convs[key]
	if !ok {
		q = &convQueue{}
		d.convs[key] = q
	}
	q.items = append(q.items, env)
	if len(q.items) == 1 && !q.releasing {
		d.ready <- key // cannot block: ready holds at most one key per queued turn
	}
	d.coalesce(q)
	d.metrics.setQueued(d.queued.Load())
}

// work runs turns until the ready channel is closed. A conversation is in
// ready at most once, and only its head turn runs, so its turns stay
// ordered. A turn's record is written after the worker moves on to another
// conversation; the conversation's next turn is scheduled once it is done.
// A turn may answer the messages after the head too (coalesce.go); they
// leave the queue with it.
func (d *Dispatcher) work(ctx context.Context) {
	for key := range d.ready {
		d.mu.Lock()
		q := d.convs[key]
		var b *batch
		if q != nil {
			b = &batch{q: q, envs: q.items[:1:1]}
		}
		d.mu.Unlock()
		if q == nil { // dropped by a drain timeout
			continue
		}
		record := d.runTurn(ctx, b)
		n := len(b.envs)
		d.queued.Add(-int64(n)) // answered: its record no longer holds a queue slot
		if record == nil {
			d.next(key, q, n)
			continue
		}
		d.life.goFunc(func() {
			record()
			d.next(key, q, n)
		})
	}
}

// next ends the head turn of q, the queue of conversation key, with the n
// messages it answered, and schedules the conversation's next turn, if any.
func (d *Dispatcher) next(key ConversationKey, q *convQueue, n int) {
	d.mu.Lock()
	q.items = q.items[n:]
	if len(q.items) == 0 && d.convs[key] == q && d.coord.Lease() > 0 {
		q.releasing = true
		d.mu.Unlock()
		unlock := d.claims.lock(key)
		handed := d.release(d.life.ctx, key)
		d.mu.Lock()
		unlock() // a claim waiting for it queues its turns once d.mu is free: after handed
		q.releasing = false
		d.queueHanded(q, handed)
	}
	if len(q.items) == 0 {
		if d.convs[key] == q {
			delete(d.convs, key)
		}
	} else if d.convs[key] == q {
		d.ready <- key
	}
	d.metrics.setQueued(d.queued.Load())
	d.mu.Unlock()
	for range n {
		d.life.end()
	}
}

// queueHanded appends to q, whose queue had emptied, the turns handed over
// while its lease was being given up. d.mu is held.
func (d *Dispatcher) queueHanded(q *convQueue, turns []Envelope) {
	for _, t := range turns {
		d.queued.Add(1)
		d.life.begin()
		q.items = append(q.items, t)
	}
}
