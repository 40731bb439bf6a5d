package store

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// maxCursorLen bounds a cursor value; cursors are small positions.
const maxCursorLen = 4096

// Cursor returns the value saved under name, or "" when none was saved.
func (s *Store) Cursor(ctx context.Context, name string) (string, error) {
	if err := checkKey("cursor name", name); err != nil {
		return "", fmt.Errorf("store: cursor: %w", err)
	}
	var value string
	err := s.view(ctx, "cursor", func(tx *bolt.Tx) error {
		v := bucket(tx, bucketCursor).Get([]byte(name))
		if v == nil {
			return nil
		}
		var err error
		value, err = decodeCursor(v)
		return err
	})
	return value, err
}

// SetCursor durably saves value under name, replacing any earlier value.
func (s *Store) SetCursor(ctx context.Context, name, value string) error {
	if err := checkKey("cursor name", name); err != nil {
		return fmt.Errorf("store: set cursor: %w", err)
	}
	if len(value) > maxCursorLen {
		return fmt.Errorf("store: set cursor: value is %d bytes, the limit is %d", len(value), maxCursorLen)
	}
	rec := encodeCursor(value)
	return s.update(ctx, "cursor", func(tx *bolt.Tx) error {
		return bucket(tx, bucketCursor).Put([]byte(name), rec)
	})
}
