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
	if storage.NeedsTouch(used, s.now(), s.cfg.VectorRetention) {
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

// sweepVectors deletes the cached vectors last used before cutoff that
// keep does not claim.
func sweepVectors(cutoff time.Time, keep func(string) bool) sweepStep {
	return func(tx *bolt.Tx, from []byte, delta *SweepStats) ([]byte, error) {
		b := bucket(tx, bucketVector)
		c := b.Cursor()
		var stale [][]byte
		k, v := seek(c, from)
		for n := 0; k != nil && n < sweepChunk; k, v = c.Next() {
			if storage.StaleVector(k, v, cutoff, keep) {
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
