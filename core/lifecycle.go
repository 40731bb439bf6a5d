package core

import (
	"context"
	"sync"
	"sync/atomic"
)

// Dispatcher states, in the only order they happen.
const (
	stateIdle     int32 = iota // before Run is ready for messages
	stateRunning               // Deliver accepts messages
	stateStopping              // shutdown has begun; Deliver refuses
)

// lifecycle is the one owner of a dispatcher's shutdown.
//
// Deliver enters it (shared) for as long as it may start work, and stop
// takes it exclusively: once stop returns, no Deliver is still on its way
// to the queue, so a webhook racing the shutdown cannot queue a turn into a
// closed queue or start a refusal after the drain waited for them.
//
// Work — a turn from being queued until it ends, a refusal while it is
// sent — is counted with begin and end; idle is closed when the dispatcher
// is stopping and the count reaches zero, so the drain waits on a signal.
// Every goroutine the dispatcher starts (workers, refusal senders) runs
// through goFunc and is waited for by wait. ctx is the turns' context: it
// outlives Run's context and ends only when the drain gives up.
type lifecycle struct {
	intake sync.RWMutex
	state  atomic.Int32

	mu     sync.Mutex
	busy   int
	idle   chan struct{}
	closed bool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// start prepares a run: the turns' context derives from parent's values
// but not its cancellation.
func (l *lifecycle) start(parent context.Context) {
	l.ctx, l.cancel = context.WithCancel(context.WithoutCancel(parent))
	l.idle = make(chan struct{})
}

// open lets Deliver accept messages.
func (l *lifecycle) open() { l.state.Store(stateRunning) }

// enter admits one Deliver, which must call leave when done whatever enter
// returned. It returns ErrStopping or ErrNotRunning when Deliver must not
// take the message.
func (l *lifecycle) enter() error {
	l.intake.RLock()
	switch l.state.Load() {
	case stateRunning:
		return nil
	case stateStopping:
		return ErrStopping
	}
	return ErrNotRunning
}

// leave ends what enter began.
func (l *lifecycle) leave() { l.intake.RUnlock() }

// stopping reports whether shutdown has begun.
func (l *lifecycle) stopping() bool { return l.state.Load() == stateStopping }

// stop refuses new messages once every Deliver in progress has left, and
// signals idle at once if no work is left.
func (l *lifecycle) stop() {
	l.intake.Lock()
	l.state.Store(stateStopping)
	l.intake.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.signalIfIdle()
}

// begin counts one piece of work.
func (l *lifecycle) begin() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.busy++
}

// end marks one piece of work done.
func (l *lifecycle) end() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.busy--
	l.signalIfIdle()
}

// signalIfIdle closes idle when stopping with no work left. l.mu is held.
func (l *lifecycle) signalIfIdle() {
	if l.busy == 0 && !l.closed && l.stopping() {
		l.closed = true
		close(l.idle)
	}
}

// pending returns how much work is counted.
func (l *lifecycle) pending() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.busy
}

// goFunc runs f in a goroutine that wait waits for.
func (l *lifecycle) goFunc(f func()) { l.wg.Go(f) }

// wait waits for every goroutine started with goFunc.
func (l *lifecycle) wait() { l.wg.Wait() }
