package store

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"imbot/core"
	"imbot/store/record"
	"imbot/store/storage"
)

// State returns conv's conversation state, expired or not; false when it
// has none. An unreadable record counts as none (and is logged).
func (s *Store) State(ctx context.Context, conv core.ConversationKey) (core.ConversationState, bool, error) {
	key := []byte(conv.String())
	if err := storage.CheckKey("conversation key", string(key)); err != nil {
		return core.ConversationState{}, false, fmt.Errorf("store: state: %w", err)
	}
	var v []byte
	err := s.view(ctx, "state", func(tx *bolt.Tx) error {
		v = append([]byte(nil), bucket(tx, bucketState).Get(key)...)
		return nil
	})
	if err != nil || len(v) == 0 {
		return core.ConversationState{}, false, err
	}
	st, err := record.DecodeState(v)
	if err != nil {
		s.log.Warn("skipping unreadable conversation state", "conversation", fmt.Sprintf("%q", conv), "err", err)
		return core.ConversationState{}, false, nil
	}
	return st, true, nil
}

// SetState replaces conv's conversation state.
func (s *Store) SetState(ctx context.Context, conv core.ConversationKey, st core.ConversationState) error {
	key := []byte(conv.String())
	if err := storage.CheckKey("conversation key", string(key)); err != nil {
		return fmt.Errorf("store: set state: %w", err)
	}
	rec := record.EncodeState(st)
	return s.update(ctx, "state", func(tx *bolt.Tx) error { return bucket(tx, bucketState).Put(key, rec) })
}

// ClearState forgets conv's conversation state and reports whether it had
// one.
func (s *Store) ClearState(ctx context.Context, conv core.ConversationKey) (bool, error) {
	key := []byte(conv.String())
	if err := storage.CheckKey("conversation key", string(key)); err != nil {
		return false, fmt.Errorf("store: clear state: %w", err)
	}
	var had bool
	err := s.update(ctx, "state", func(tx *bolt.Tx) error {
		b := bucket(tx, bucketState)
		had = b.Get(key) != nil
		return b.Delete(key)
	})
	return had, err
}
