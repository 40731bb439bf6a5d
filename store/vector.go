package store

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"imbot/store/record"
	"imbot/store/storage"
)

// touchFraction: a cached vector read when its last-use time is older than
// vector_retention divided by this gets a new last-use time, so that a
// vector in use is never swept and a read rarely writes.
const touchFraction = 4

// Vector returns the cached embedding under key and whether there was one.
// A hit whose last use is long past (a quarter of vector_retention) records
// the use, which keeps the vector from the sweep.
func (s *Store) Vector(ctx context.Context, key string) ([]float32, bool, error) {
	if err := storage.CheckKey("vector key", key); err != nil {
		return nil, false, fmt.Errorf("store: vector: %w", err)
	}
	var (
		v    []float32
		used time.Time
	)
	err := s.view(ctx, "vector", func(tx *bolt.Tx) error {
		b := bucket(tx, bucketVector).Get([]byte(key))
		if b == nil {
			return nil
		}
		var err error
		v, used, err = record.DecodeVector(b)
		return err
	})
	if err != nil || v == nil {
		return nil, false, err
	}
	if r := s.cfg.VectorRetention; r > 0 && s.now().Sub(used) > r/touchFraction {
		if err := s.PutVector(ctx, key, v); err != nil {
			s.log.Warn("record a cached vector's use", "err", err)
		}
	}
	return v, true, nil
}

// PutVector caches v under key, used now, replacing any earlier vector.
func (s *Store) PutVector(ctx context.Context, key string, v []float32) error {
	if err := storage.CheckVector(key, v); err != nil {
		return fmt.Errorf("store: put vector: %w", err)
	}
	rec := record.EncodeVector(v, s.now())
	return s.update(ctx, "vector", func(tx *bolt.Tx) error {
		return bucket(tx, bucketVector).Put([]byte(key), rec)
	})
}

// KeepVectors tells the sweep which cached vectors to keep however long
// ago they were used: those whose key keep reports (the knowledge base in
// use). Until it is called, only the age counts. keep is called from the
// sweep's goroutine and must be safe for concurrent use.
func (s *Store) KeepVectors(keep func(key string) bool) { s.vectorKeep.Store(&keep) }

// sweepVectors deletes the cached vectors last used before cutoff that
// keep does not claim.
func sweepVectors(cutoff time.Time, keep func(string) bool) sweepStep {
	return func(tx *bolt.Tx, from []byte, delta *SweepStats) ([]byte, error) {
		b := bucket(tx, bucketVector)
		c := b.Cursor()
		var stale [][]byte
		k, v := seek(c, from)
		for n := 0; k != nil && n < sweepChunk; k, v = c.Next() {
			if _, used, err := record.DecodeVector(v); (err != nil || used.Before(cutoff)) && !keep(string(k)) {
				stale = append(stale, bytes.Clone(k))
			}
			n++
		}
		next := bytes.Clone(k)
		if err := deleteKeys(b, stale); err != nil {
			return nil, err
		}
		delta.Vectors = len(stale)
		return next, nil
	}
}

// vectorKeeper returns the predicate KeepVectors set, or one keeping
// nothing.
func (s *Store) vectorKeeper() func(string) bool {
	if p := s.vectorKeep.Load(); p != nil {
		return *p
	}
	return func(string) bool { return false }
}
