package store

import (
	"errors"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// groupCommit shares write transactions between concurrent writers without
// a timer: a write that finds no transaction running commits at once, and
// the writes that arrive while one commits all go into the next one. So a
// lone write never waits for company, and under load each commit (its
// fsyncs) carries as many writes as arrived during the one before, however
// fast or slow the disk is. It starts no goroutine: a waiting writer is
// handed the lead when the transaction before it ends.
type groupCommit struct {
	db  *bolt.DB
	max int // writes per transaction at most

	mu      sync.Mutex
	queue   []*groupCall
	leading bool // a writer is committing, or has been handed the lead
}

// groupCall is one queued write; done receives its outcome, or errLead.
type groupCall struct {
	fn   func(*bolt.Tx) error
	done chan error
}

// errLead tells a waiting writer to commit the queue itself.
var errLead = errors.New("store: lead the next commit")

// do runs fn in a write transaction shared with concurrent callers. Like
// DB.Batch, fn may run more than once: when it fails, the transaction is
// rolled back, fn is run again alone for its error, and the others retried.
func (g *groupCommit) do(fn func(*bolt.Tx) error) error {
	c := &groupCall{fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, c)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if !lead {
		if err := <-c.done; !errors.Is(err, errLead) {
			return err
		}
	}
	g.lead()
	return <-c.done
}

// leadRounds is how many transactions one writer commits in a row while
// others keep arriving before it hands the lead on: enough to spare most
// hand-offs (a goroutine wake-up each), few enough that the leader's own
// call returns soon.
const leadRounds = 4

// lead commits the queue, a transaction at a time for up to leadRounds,
// then hands the lead to the first writer still queued, or gives it up.
func (g *groupCommit) lead() {
	for range leadRounds {
		g.mu.Lock()
		if len(g.queue) == 0 {
			g.queue, g.leading = nil, false
			g.mu.Unlock()
			return
		}
		n := min(len(g.queue), g.max)
		batch := g.queue[:n:n]
		g.queue = g.queue[n:]
		g.mu.Unlock()
		g.commit(batch)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.queue) == 0 {
		g.queue, g.leading = nil, false
		return
	}
	g.queue[0].done <- errLead
}

// commit runs batch in one transaction and tells each call its outcome.
func (g *groupCommit) commit(batch []*groupCall) {
	for len(batch) > 0 {
		failed := -1
		err := g.db.Update(func(tx *bolt.Tx) error {
			for i, c := range batch {
				if err := safeCall(c.fn, tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed < 0 {
			for _, c := range batch {
				c.done <- err
			}
			return
		}
		c := batch[failed]
		c.done <- g.db.Update(func(tx *bolt.Tx) error { return safeCall(c.fn, tx) })
		batch = append(batch[:failed:failed], batch[failed+1:]...)
	}
}

// safeCall runs fn, turning a panic into an error as DB.Batch does.
func safeCall(fn func(*bolt.Tx) error, tx *bolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: write panicked: %v", p)
		}
	}()
	return fn(tx)
}
