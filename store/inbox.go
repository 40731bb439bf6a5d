package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"imbot/core"
	"imbot/store/record"
	"imbot/store/storage"
)

// Accept records env as accepted and pending unless one of its dedup keys is
// marked and unexpired (or it is already pending); it reports false for such
// a duplicate. Every mark and the pending record are written in one
// transaction, which is durable when Accept returns true.
func (s *Store) Accept(ctx context.Context, env core.Envelope) (bool, error) {
	if err := storage.CheckEnvelope(env); err != nil {
		return false, fmt.Errorf("store: accept: %w", err)
	}
	keys := env.DedupKeys()
	now := s.now()
	mark := record.EncodeExpiry(now.Add(s.cfg.DedupTTL))
	var fresh bool
	err := s.update(ctx, "accept", func(tx *bolt.Tx) error {
		fresh = false // the batch may run this more than once
		if duplicate(tx, keys, now) {
			return nil
		}
		dedup, pending := bucket(tx, bucketDedup), bucket(tx, bucketPending)
		for _, k := range keys {
			if err := dedup.Put([]byte(k), mark); err != nil {
				return err
			}
		}
		seq, err := pending.NextSequence()
		if err != nil {
			return err
		}
		if err := pending.Put([]byte(keys[0]), record.EncodePending(record.Pending{Seq: seq, Env: env})); err != nil {
			return err
		}
		fresh = true
		return nil
	})
	if err != nil {
		return false, err
	}
	s.metrics.accept(fresh)
	return fresh, nil
}

// Seen reports whether Accept would take env for a duplicate: one of its
// dedup keys is marked and unexpired, or it is pending. It records nothing,
// so a message refused without being accepted can come again.
func (s *Store) Seen(ctx context.Context, env core.Envelope) (bool, error) {
	if err := storage.CheckEnvelope(env); err != nil {
		return false, fmt.Errorf("store: seen: %w", err)
	}
	keys := env.DedupKeys()
	now := s.now()
	var seen bool
	err := s.view(ctx, "seen", func(tx *bolt.Tx) error {
		seen = duplicate(tx, keys, now)
		return nil
	})
	return seen, err
}

// duplicate reports whether the envelope with dedup keys keys is pending or
// has a mark in force at now.
func duplicate(tx *bolt.Tx, keys []string, now time.Time) bool {
	if bucket(tx, bucketPending).Get([]byte(keys[0])) != nil {
		return true
	}
	dedup := bucket(tx, bucketDedup)
	for _, k := range keys {
		if marked(dedup.Get([]byte(k)), now) {
			return true
		}
	}
	return false
}

// marked reports whether a stored dedup mark is still in force at now. An
// unreadable mark counts as expired, so the next Accept rewrites it.
func marked(v []byte, now time.Time) bool {
	if v == nil {
		return false
	}
	exp, err := record.DecodeExpiry(v)
	return err == nil && now.Before(exp)
}

// Pending returns the accepted envelopes whose turn has not completed, in
// acceptance order. An unreadable record is logged and skipped.
func (s *Store) Pending(ctx context.Context) ([]core.Envelope, error) {
	var recs []record.Pending
	err := s.view(ctx, "pending", func(tx *bolt.Tx) error {
		return bucket(tx, bucketPending).ForEach(func(k, v []byte) error {
			p, err := record.DecodePending(v)
			if err != nil {
				s.log.Warn("skipping unreadable pending record", "key", fmt.Sprintf("%q", k), "err", err)
				return nil
			}
			recs = append(recs, p)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(recs, func(a, b record.Pending) int { return cmp.Compare(a.Seq, b.Seq) })
	envs := make([]core.Envelope, len(recs))
	for i, r := range recs {
		envs[i] = r.Env
	}
	return envs, nil
}

// Drop forgets env's pending record without writing history; its dedup marks
// stay, and its saved reply messages are remembered as the bot's. Dropping an
// envelope that is not pending is not an error.
func (s *Store) Drop(ctx context.Context, env core.Envelope) error {
	if err := storage.CheckEnvelope(env); err != nil {
		return fmt.Errorf("store: drop: %w", err)
	}
	key := storage.PendingKey(env)
	now := s.now()
	return s.update(ctx, "drop", func(tx *bolt.Tx) error {
		if err := s.rememberRef(tx, key, now); err != nil {
			return err
		}
		return bucket(tx, bucketPending).Delete(key)
	})
}
