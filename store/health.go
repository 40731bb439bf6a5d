package store

import (
	"errors"
	"fmt"
	"sync"
	"syscall"
	"time"
)

// freeSpaceEvery is how often Check asks the filesystem for free space at
// most; between checks it reports the last answer.
const freeSpaceEvery = 5 * time.Second

// ErrLowSpace matches (errors.Is) Check's error when the file's filesystem
// has less free space than min_free_mb.
var ErrLowSpace = errors.New("store: low free space")

// Health is the store's write health, for readiness and diagnostics.
type Health struct {
	// LastWriteErr is the error of the last write when it failed; the next
	// successful write clears it.
	LastWriteErr error
	// LastWriteErrAt is when LastWriteErr happened.
	LastWriteErrAt time.Time
	// FreeBytes is the free space on the file's filesystem for an
	// unprivileged writer, as of FreeCheckedAt; 0 with a zero
	// FreeCheckedAt when it could not be read.
	FreeBytes     uint64
	FreeCheckedAt time.Time
}

// Err returns what is wrong with h, or nil: the last write error (naming
// ENOSPC as a full disk), or free space under minFree bytes.
func (h Health) Err(minFree uint64) error {
	var errs []error
	if h.LastWriteErr != nil {
		what := "last write failed"
		if errors.Is(h.LastWriteErr, syscall.ENOSPC) {
			what = "disk full (ENOSPC): last write failed"
		}
		errs = append(errs, fmt.Errorf("%s at %s: %w", what, h.LastWriteErrAt.UTC().Format(time.RFC3339), h.LastWriteErr))
	}
	if !h.FreeCheckedAt.IsZero() && h.FreeBytes < minFree {
		errs = append(errs, fmt.Errorf("%w: %d MB free on the store's filesystem, min_free_mb is %d",
			ErrLowSpace, h.FreeBytes>>20, minFree>>20))
	}
	return errors.Join(errs...)
}

// health tracks write errors and free space; safe for concurrent use.
type health struct {
	path     string
	freeFunc func(path string) (uint64, error)

	mu sync.Mutex
	h  Health
}

// wrote records the outcome of a write at now.
func (hs *health) wrote(err error, now time.Time) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if err == nil {
		hs.h.LastWriteErr, hs.h.LastWriteErrAt = nil, time.Time{}
		return
	}
	hs.h.LastWriteErr, hs.h.LastWriteErrAt = err, now
}

// snapshot returns the health at now, reading free space when the last
// reading is older than freeSpaceEvery.
func (hs *health) snapshot(now time.Time) Health {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if now.Sub(hs.h.FreeCheckedAt) >= freeSpaceEvery || now.Before(hs.h.FreeCheckedAt) {
		free, err := hs.freeFunc(hs.path)
		if err == nil {
			hs.h.FreeBytes, hs.h.FreeCheckedAt = free, now
		}
	}
	return hs.h
}
