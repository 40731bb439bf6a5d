package provider

import (
	"context"
	"time"
)

// Clock is the time source of clients, breakers and chains. Tests replace it
// to drive timeouts, cool-downs and backoff without waiting. Now must be
// comparable with context deadlines (wall-clock based), since a chain checks
// whether a wait fits before ctx's deadline. All methods may be called from
// any goroutine.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// AfterFunc calls f in its own goroutine after d and returns a function
	// that cancels the call; stop reports whether it prevented f from running.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
	// Sleep waits for d or until ctx ends, returning ctx's error in the
	// latter case.
	Sleep(ctx context.Context, d time.Duration) error
}

// systemClock is the real Clock.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

func (systemClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
