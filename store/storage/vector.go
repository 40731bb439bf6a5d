package storage

import (
	"sync/atomic"
	"time"

	"imbot/store/record"
)

// touchFraction: a cached vector read when its last use is older than
// vector_retention divided by this gets a new last-use time, so that a
// vector in use is never swept and a read rarely writes.
const touchFraction = 4

// NeedsTouch reports whether a cached vector last used at used, read at
// now, is to be written again with now as its last use: when vector
// retention is on and the last use is more than a quarter of it ago.
func NeedsTouch(used, now time.Time, retention time.Duration) bool {
	return retention > 0 && now.Sub(used) > retention/touchFraction
}

// StaleVector reports whether the sweep deletes the cached vector under
// key, encoded in rec: it is unreadable or was last used before cutoff, and
// keep does not claim it.
func StaleVector(key []byte, rec []byte, cutoff time.Time, keep func(string) bool) bool {
	_, used, err := record.DecodeVector(rec)
	return (err != nil || used.Before(cutoff)) && !keep(string(key))
}

// VectorKeep holds what KeepVectors was told; a backend embeds it. It is
// safe for concurrent use.
type VectorKeep struct {
	keep atomic.Pointer[func(key string) bool]
}

// KeepVectors tells the sweep which cached vectors to keep however long
// ago they were used: those whose key keep reports (the knowledge base in
// use). Until it is called, only the age counts. keep is called from the
// sweep's goroutine and must be safe for concurrent use.
func (k *VectorKeep) KeepVectors(keep func(key string) bool) { k.keep.Store(&keep) }

// Keeper returns the predicate KeepVectors set, or one keeping nothing.
func (k *VectorKeep) Keeper() func(key string) bool {
	if p := k.keep.Load(); p != nil {
		return *p
	}
	return func(string) bool { return false }
}
