package openai

import "time"

// Clock is the time source of a Client's timeouts. Tests replace it to
// drive them without waiting. Both methods may be called from any
// goroutine.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// AfterFunc calls f in its own goroutine after d and returns a function
	// that cancels the call; stop reports whether it prevented f from running.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// systemClock is the real Clock.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}
