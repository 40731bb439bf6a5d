package store

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// maxVectorLen bounds a cached embedding's dimension.
const maxVectorLen = 1 << 16

// Vector returns the cached embedding under key and whether there was one.
func (s *Store) Vector(ctx context.Context, key string) ([]float32, bool, error) {
	if err := checkKey("vector key", key); err != nil {
		return nil, false, fmt.Errorf("store: vector: %w", err)
	}
	var v []float32
	err := s.view(ctx, "vector", func(tx *bolt.Tx) error {
		b := bucket(tx, bucketVector).Get([]byte(key))
		if b == nil {
			return nil
		}
		var err error
		v, err = decodeVector(b)
		return err
	})
	if err != nil || v == nil {
		return nil, false, err
	}
	return v, true, nil
}

// PutVector caches v under key, replacing any earlier vector.
func (s *Store) PutVector(ctx context.Context, key string, v []float32) error {
	if err := checkKey("vector key", key); err != nil {
		return fmt.Errorf("store: put vector: %w", err)
	}
	if len(v) == 0 || len(v) > maxVectorLen {
		return fmt.Errorf("store: put vector: dimension %d is outside 1..%d", len(v), maxVectorLen)
	}
	rec := encodeVector(v)
	return s.update(ctx, "vector", func(tx *bolt.Tx) error {
		return bucket(tx, bucketVector).Put([]byte(key), rec)
	})
}
