package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"imbot/core"
	"imbot/store/record"
	"imbot/store/storage"
)

// Unanswered is a question no tier could answer well, queued for the owner
// of the knowledge base. It is the core's type, so that *Store is a
// core.UnansweredLog as it stands.
type Unanswered = core.UnansweredQuestion

// AddUnanswered queues u. A question over 16 KiB is cut at a rune boundary,
// only the first 32 candidates are kept, and a zero At means now.
func (s *Store) AddUnanswered(ctx context.Context, u Unanswered) error {
	u = storage.PrepareUnanswered(u, s.now())
	rec := record.EncodeUnanswered(u)
	at := storage.ClampedUnixNano(u.At)
	return s.update(ctx, "unanswered", func(tx *bolt.Tx) error {
		b := bucket(tx, bucketUnanswered)
		b.FillPercent = appendFillPercent
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		return b.Put(unansweredKey(at, seq), rec)
	})
}

// unansweredKey orders the queue by time, then by insertion.
func unansweredKey(unixNano int64, seq uint64) []byte {
	k := binary.BigEndian.AppendUint64(make([]byte, 0, 16), uint64(unixNano)^(1<<63))
	return binary.BigEndian.AppendUint64(k, seq)
}

// Unanswered returns the queued questions at or after since, oldest first.
// An unreadable entry is logged and skipped.
func (s *Store) Unanswered(ctx context.Context, since time.Time) ([]Unanswered, error) {
	var out []Unanswered
	err := s.view(ctx, "unanswered", func(tx *bolt.Tx) error {
		c := bucket(tx, bucketUnanswered).Cursor()
		for k, v := c.Seek(unansweredKey(storage.ClampedUnixNano(since), 0)); k != nil; k, v = c.Next() {
			u, err := record.DecodeUnanswered(v)
			if err != nil {
				s.log.Warn("skipping unreadable unanswered entry", "key", fmt.Sprintf("%x", k), "err", err)
				continue
			}
			out = append(out, u)
		}
		return nil
	})
	return out, err
}
