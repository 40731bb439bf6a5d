package core

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// defaultHeartbeat is how often a running dispatcher's supervisor beats.
const defaultHeartbeat = time.Second

// staleBeats is how many beat intervals may pass without a beat before the
// dispatcher counts as wedged.
const staleBeats = 5

// errNoHeartbeat is Alive's verdict before Run starts and after it ends.
var errNoHeartbeat = errors.New("core: dispatcher is not running")

// heartbeat is the dispatcher's sign of life: a supervisor goroutine takes,
// at every beat, the locks that turns and deliveries take, and records the
// time. A wedged lock stops the beats; a long turn, a deep queue or a slow
// provider does not, since no lock is held while a turn runs.
type heartbeat struct {
	every time.Duration
	last  atomic.Int64 // unix nanoseconds of the last beat; 0 when not beating
}

// WithHeartbeat sets how often the dispatcher's supervisor beats (default
// one second); Alive fails after five intervals without a beat.
func WithHeartbeat(every time.Duration) DispatcherOption {
	return func(d *Dispatcher) { d.beat.every = every }
}

// Alive reports nil while Run's supervisor keeps beating: the dispatcher is
// running and none of its locks is wedged. It is what the systemd watchdog
// and /readyz ask, and may be called from any goroutine.
func (d *Dispatcher) Alive(context.Context) error {
	last := d.beat.last.Load()
	if last == 0 {
		return errNoHeartbeat
	}
	if age := time.Since(time.Unix(0, last)); age > staleBeats*d.beat.every {
		return fmt.Errorf("core: dispatcher wedged: no heartbeat for %s", age.Round(time.Millisecond))
	}
	return nil
}

// startHeartbeat starts the supervisor; the returned function stops it and
// waits for it, after which Alive fails.
func (d *Dispatcher) startHeartbeat() (stop func()) {
	if d.beat.every <= 0 {
		d.beat.every = defaultHeartbeat
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(d.beat.every)
		defer t.Stop()
		for {
			d.beatOnce()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
		d.beat.last.Store(0)
	}
}

// beatOnce takes the queue lock and the lifecycle's work lock in turn, as
// enqueue, work and the drain do, and records the beat once both were free.
func (d *Dispatcher) beatOnce() {
	d.mu.Lock()
	// Only whether the lock can be taken matters: the section stays empty.
	d.mu.Unlock()
	d.life.pending()
	d.beat.last.Store(time.Now().UnixNano())
}
