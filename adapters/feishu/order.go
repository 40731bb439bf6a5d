package feishu

import (
	"context"
	"strconv"
	"sync"
	"time"

	"imbot/core/kit"
)

// orderSettle is how long an event from the long connection waits for
// earlier messages of its chat whose handlers the SDK started later: it
// runs each event's handler in a goroutine of its own, so two quick
// messages may reach the adapter in either order.
const orderSettle = 50 * time.Millisecond

// chatOrder delivers the events of one chat one at a time, oldest message
// first (by create time, then id), after each has waited settle for earlier
// ones to arrive. Events of different chats do not wait for each other.
type chatOrder struct {
	settle time.Duration
	mu     sync.Mutex
	chats  map[string]*orderQueue
}

// orderQueue holds the events of one chat waiting for their turn.
type orderQueue struct {
	waiting []orderKey
	busy    bool
	changed chan struct{} // closed and replaced whenever the queue changes
}

// orderKey orders the messages of a chat.
type orderKey struct {
	created int64 // message create time, ms
	id      string
}

func (k orderKey) less(o orderKey) bool {
	if k.created != o.created {
		return k.created < o.created
	}
	return k.id < o.id
}

func newChatOrder(settle time.Duration) *chatOrder {
	return &chatOrder{settle: settle, chats: make(map[string]*orderQueue)}
}

// do runs f for event e once every earlier message of its chat that arrived
// within the settle window has been handled, and returns f's error; it
// returns ctx's error, without running f, when ctx ends first.
func (o *chatOrder) do(ctx context.Context, e event, f func() error) error {
	m := e.Event.Message
	created, _ := strconv.ParseInt(m.CreateTime, 10, 64)
	key := orderKey{created: created, id: m.MessageID}
	q := o.join(m.ChatID, key)
	defer o.leave(m.ChatID, q, key)
	if err := kit.Sleep(ctx, o.settle); err != nil {
		return err
	}
	for {
		o.mu.Lock()
		if !q.busy && q.first() == key {
			q.busy = true
			o.mu.Unlock()
			return f()
		}
		changed := q.changed
		o.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// join adds key to chat's queue.
func (o *chatOrder) join(chat string, key orderKey) *orderQueue {
	o.mu.Lock()
	defer o.mu.Unlock()
	q := o.chats[chat]
	if q == nil {
		q = &orderQueue{changed: make(chan struct{})}
		o.chats[chat] = q
	}
	q.waiting = append(q.waiting, key)
	return q
}

// leave removes key from its queue, ends its turn if it had it, and wakes
// the others; an empty queue is forgotten.
func (o *chatOrder) leave(chat string, q *orderQueue, key orderKey) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if q.busy && q.first() == key {
		q.busy = false
	}
	for i, k := range q.waiting {
		if k == key {
			q.waiting = append(q.waiting[:i], q.waiting[i+1:]...)
			break
		}
	}
	close(q.changed)
	q.changed = make(chan struct{})
	if len(q.waiting) == 0 {
		delete(o.chats, chat)
	}
}

// first returns the oldest key waiting. The caller holds the lock.
func (q *orderQueue) first() orderKey {
	best := q.waiting[0]
	for _, k := range q.waiting[1:] {
		if k.less(best) {
			best = k
		}
	}
	return best
}
