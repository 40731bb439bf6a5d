package store

import (
	"context"
	"fmt"
	"math"

	bolt "go.etcd.io/bbolt"

	"imbot/store/record"
	"imbot/store/storage"
)

// usageKey files a counter under its day first, so that retention removes
// old days with one ordered scan.
func usageKey(key, day string) ([]byte, error) {
	if err := storage.CheckUsage(key, day, 0); err != nil {
		return nil, err
	}
	return []byte(day + "\x00" + key), nil
}

// AddUsage adds tokens (which must not be negative) to the counter of key on
// day ("YYYY-MM-DD"); the counter saturates instead of overflowing.
func (s *Store) AddUsage(ctx context.Context, key, day string, tokens int) error {
	k, err := usageKey(key, day)
	if err != nil {
		return fmt.Errorf("store: add usage: %w", err)
	}
	if err := storage.CheckUsage(key, day, tokens); err != nil {
		return fmt.Errorf("store: add usage: %w", err)
	}
	return s.update(ctx, "usage", func(tx *bolt.Tx) error {
		b := bucket(tx, bucketUsage)
		n, err := readCount(b.Get(k))
		if err != nil {
			return err
		}
		return b.Put(k, record.EncodeCount(storage.AddSaturating(n, tokens)))
	})
}

// Usage returns the counter of key on day, 0 when nothing was added.
func (s *Store) Usage(ctx context.Context, key, day string) (int, error) {
	k, err := usageKey(key, day)
	if err != nil {
		return 0, fmt.Errorf("store: usage: %w", err)
	}
	var n uint64
	err = s.view(ctx, "usage", func(tx *bolt.Tx) error {
		var err error
		n, err = readCount(bucket(tx, bucketUsage).Get(k))
		return err
	})
	return int(min(n, math.MaxInt)), err
}

// readCount decodes a counter, 0 when absent.
func readCount(v []byte) (uint64, error) {
	if v == nil {
		return 0, nil
	}
	return record.DecodeCount(v)
}
