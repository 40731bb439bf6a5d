package store

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"imbot/store/record"
	"imbot/store/storage"
)

// Cursor returns the value saved under name, or "" when none was saved.
func (s *Store) Cursor(ctx context.Context, name string) (string, error) {
	if err := storage.CheckKey("cursor name", name); err != nil {
		return "", fmt.Errorf("store: cursor: %w", err)
	}
	var value string
	err := s.view(ctx, "cursor", func(tx *bolt.Tx) error {
		v := bucket(tx, bucketCursor).Get([]byte(name))
		if v == nil {
			return nil
		}
		var err error
		value, err = record.DecodeCursor(v)
		return err
	})
	return value, err
}

// SetCursor durably saves value under name, replacing any earlier value.
func (s *Store) SetCursor(ctx context.Context, name, value string) error {
	if err := storage.CheckCursor(name, value); err != nil {
		return fmt.Errorf("store: set cursor: %w", err)
	}
	rec := record.EncodeCursor(value)
	return s.update(ctx, "cursor", func(tx *bolt.Tx) error {
		return bucket(tx, bucketCursor).Put([]byte(name), rec)
	})
}
