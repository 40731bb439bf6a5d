package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"imbot/core"
	"imbot/store/record"
	"imbot/store/storage"
)

// putTurnRecord files turn's record in tx.
func putTurnRecord(tx *bolt.Tx, turn core.Turn) error {
	r := storage.TurnRecordOf(turn)
	return bucket(tx, bucketTurns).Put(storage.TurnKey(r.Conversation, r.Turn), record.EncodeTurnRecord(r))
}

// Vote sets the vote on fb's turn and returns its record; false when the
// turn has no record.
func (s *Store) Vote(ctx context.Context, fb core.Feedback) (core.TurnRecord, bool, error) {
	key, err := storage.CheckVote(fb)
	if err != nil {
		return core.TurnRecord{}, false, fmt.Errorf("store: vote: %w", err)
	}
	var rec core.TurnRecord
	var found bool
	err = s.update(ctx, "vote", func(tx *bolt.Tx) error {
		found = false
		b := bucket(tx, bucketTurns)
		v := b.Get(key)
		if v == nil {
			return nil
		}
		r, err := record.DecodeTurnRecord(v)
		if err != nil {
			return err
		}
		r.Vote, r.VotedAt = fb.Vote, fb.At
		rec, found = r, true
		return b.Put(key, record.EncodeTurnRecord(r))
	})
	return rec, found, err
}

// TurnRecords returns the records of turns answered at or after since,
// oldest first; unreadable ones are logged and skipped.
func (s *Store) TurnRecords(ctx context.Context, since time.Time) ([]core.TurnRecord, error) {
	var out []core.TurnRecord
	err := s.view(ctx, "turn_records", func(tx *bolt.Tx) error {
		return bucket(tx, bucketTurns).ForEach(func(k, v []byte) error {
			r, err := record.DecodeTurnRecord(v)
			if err != nil {
				s.log.Warn("skipping unreadable turn record", "key", fmt.Sprintf("%q", k), "err", err)
				return nil
			}
			if !r.At.Before(since) {
				out = append(out, r)
			}
			return nil
		})
	})
	slices.SortStableFunc(out, func(a, b core.TurnRecord) int { return a.At.Compare(b.At) })
	return out, err
}
