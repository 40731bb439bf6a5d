package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	bolt "go.etcd.io/bbolt"

	"imbot/store/record"
	"imbot/store/storage"
)

// sweepChunk bounds the records one sweep transaction examines or deletes,
// so that sweeping never holds the writer lock for long.
const sweepChunk = 1000

// SweepStats counts what one Sweep removed.
type SweepStats = storage.SweepStats

// Sweep applies retention as of now: it deletes expired dedup marks, trims
// every conversation to its max_messages newest messages and, when retention
// is set, deletes conversations idle for longer than it and older unanswered
// questions, usage counters and turn records, and, when vector_retention is set, deletes
// the cached embeddings not used for that long, except those of the
// knowledge base in use (KeepVectors). It works in many short transactions, so it
// may run beside normal traffic; when it fails, what was already removed
// stays removed and the returned stats count it.
func (s *Store) Sweep(ctx context.Context, now time.Time) (SweepStats, error) {
	start := time.Now()
	var st SweepStats
	err := s.chunked(ctx, &st, sweepExpired(bucketDedup, now, func(d *SweepStats) *int { return &d.DedupMarks }))
	if err == nil {
		err = s.chunked(ctx, &st, sweepExpired(bucketBotMsg, now, func(d *SweepStats) *int { return &d.BotMessages }))
	}
	if err == nil {
		err = s.chunked(ctx, &st, s.sweepConversations(now))
	}
	if err == nil && s.cfg.Retention > 0 {
		cutoff := now.Add(-s.cfg.Retention)
		err = s.chunked(ctx, &st, sweepBelow(bucketUnanswered, unansweredKey(storage.ClampedUnixNano(cutoff), 0),
			func(d *SweepStats) *int { return &d.Unanswered }))
		if err == nil {
			err = s.chunked(ctx, &st, sweepBelow(bucketUsage, []byte(cutoff.UTC().Format(storage.DayLayout)),
				func(d *SweepStats) *int { return &d.Usage }))
		}
		if err == nil {
			err = s.chunked(ctx, &st, sweepWhere(bucketTurns, func(v []byte) bool {
				r, err := record.DecodeTurnRecord(v)
				return err != nil || r.At.Before(cutoff)
			}, func(d *SweepStats) *int { return &d.Turns }))
		}
	}
	if err == nil && s.cfg.VectorRetention > 0 {
		err = s.chunked(ctx, &st, sweepVectors(now.Add(-s.cfg.VectorRetention), s.vectorKeeper()))
	}
	s.metrics.sweep(st)
	if err != nil {
		return st, fmt.Errorf("store: sweep: %w", err)
	}
	level := slog.LevelDebug
	if st.Total() > 0 {
		level = slog.LevelInfo
	}
	s.log.Log(ctx, level, "store swept", "dedup_marks", st.DedupMarks, "conversations", st.Conversations,
		"messages", st.Messages, "unanswered", st.Unanswered, "usage", st.Usage,
		"bot_messages", st.BotMessages, "vectors", st.Vectors, "latency_ms", time.Since(start).Milliseconds())
	return st, nil
}

// sweepStep does one bounded part of a sweep inside tx, starting at key from
// (nil: the first key). It counts what it removed in delta and returns the
// key the next step starts at, nil when the sweep is done.
type sweepStep func(tx *bolt.Tx, from []byte, delta *SweepStats) (next []byte, err error)

// errUnchanged rolls back a sweep step that removed nothing, sparing the
// commit's fsync.
var errUnchanged = errors.New("nothing removed")

// chunked runs step in successive write transactions until it returns a nil
// key, adding each committed step's counts to st. A step changes the file
// only when it removes something.
func (s *Store) chunked(ctx context.Context, st *SweepStats, step sweepStep) error {
	var from []byte
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var next []byte
		var delta SweepStats
		err := s.write("sweep", func() error {
			return s.db.Update(func(tx *bolt.Tx) error {
				var err error
				next, err = step(tx, from, &delta)
				if err == nil && delta.Total() == 0 {
					return errUnchanged
				}
				return err
			})
		})
		if err != nil && !errors.Is(err, errUnchanged) {
			return err
		}
		st.Add(delta)
		if next == nil {
			return nil
		}
		from = next
	}
}

// seek positions c at from, or at the first key when from is nil.
func seek(c *bolt.Cursor, from []byte) ([]byte, []byte) {
	if from == nil {
		return c.First()
	}
	return c.Seek(from)
}

// sweepExpired deletes the expired marks of the named bucket (dedup or
// botmsg), counting them in the field of SweepStats that count selects.
func sweepExpired(name string, now time.Time, count func(*SweepStats) *int) sweepStep {
	return sweepWhere(name, func(v []byte) bool { return !marked(v, now) }, count)
}

// sweepWhere deletes the records of the named bucket whose value is stale,
// counting them in the field of SweepStats that count selects.
func sweepWhere(name string, stale func(v []byte) bool, count func(*SweepStats) *int) sweepStep {
	return func(tx *bolt.Tx, from []byte, delta *SweepStats) ([]byte, error) {
		b := bucket(tx, name)
		c := b.Cursor()
		var expired [][]byte
		k, v := seek(c, from)
		for n := 0; k != nil && n < sweepChunk; k, v = c.Next() {
			if stale(v) {
				expired = append(expired, bytes.Clone(k))
			}
			n++
		}
		next := bytes.Clone(k)
		if err := deleteKeys(b, expired); err != nil {
			return nil, err
		}
		*count(delta) = len(expired)
		return next, nil
	}
}

// sweepBelow deletes every key of the named bucket that sorts before bound,
// counting them in the field of SweepStats that count selects.
func sweepBelow(name string, bound []byte, count func(*SweepStats) *int) sweepStep {
	return func(tx *bolt.Tx, _ []byte, delta *SweepStats) ([]byte, error) {
		b := bucket(tx, name)
		c := b.Cursor()
		var old [][]byte
		for k, _ := c.First(); k != nil && bytes.Compare(k, bound) < 0 && len(old) < sweepChunk; k, _ = c.Next() {
			old = append(old, bytes.Clone(k))
		}
		if err := deleteKeys(b, old); err != nil {
			return nil, err
		}
		*count(delta) = len(old)
		if len(old) < sweepChunk {
			return nil, nil
		}
		return bound, nil
	}
}

// deleteKeys deletes keys collected by a finished cursor walk (deleting
// while walking can skip keys).
func deleteKeys(b *bolt.Bucket, keys [][]byte) error {
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) sweepConversations(now time.Time) sweepStep {
	return func(tx *bolt.Tx, from []byte, delta *SweepStats) ([]byte, error) {
		convs := bucket(tx, bucketConv)
		names, next := nestedBuckets(convs, from, sweepChunk)
		budget := sweepChunk
		for _, name := range names {
			if budget <= 0 {
				return name, nil
			}
			done, err := s.sweepConversation(convs, name, now, &budget, delta)
			if err != nil {
				return nil, err
			}
			if !done {
				return name, nil
			}
		}
		return next, nil
	}
}

// nestedBuckets returns up to limit names of b's nested buckets from from on,
// and the key after them (nil at the end).
func nestedBuckets(b *bolt.Bucket, from []byte, limit int) (names [][]byte, next []byte) {
	c := b.Cursor()
	k, v := seek(c, from)
	for ; k != nil && len(names) < limit; k, v = c.Next() {
		if v == nil {
			names = append(names, bytes.Clone(k))
		}
	}
	return names, bytes.Clone(k)
}

// sweepConversation deletes conversation name when it is idle past the
// retention, or trims its oldest messages within *budget deletions. It
// reports false when the trim ran out of budget before finishing.
func (s *Store) sweepConversation(convs *bolt.Bucket, name []byte, now time.Time, budget *int, st *SweepStats) (bool, error) {
	*budget--
	cb := convs.Bucket(name)
	meta := readConvMeta(cb)
	if s.cfg.Retention > 0 && now.Sub(meta.Last) > s.cfg.Retention {
		st.Conversations++
		return true, convs.DeleteBucket(name)
	}
	excess := int(min(meta.Count-min(meta.Count, uint64(s.cfg.MaxMessages)), uint64(sweepChunk)))
	if excess == 0 {
		return true, nil
	}
	msgs := cb.Bucket([]byte(keyConvMsgs))
	if msgs == nil {
		return true, nil
	}
	n := min(excess, max(*budget, 0))
	var old [][]byte
	c := msgs.Cursor()
	for k, _ := c.First(); k != nil && len(old) < n; k, _ = c.Next() {
		old = append(old, bytes.Clone(k))
	}
	if err := deleteKeys(msgs, old); err != nil {
		return false, err
	}
	*budget -= len(old)
	st.Messages += len(old)
	meta.Count -= uint64(len(old))
	if len(old) < n {
		meta.Count = 0 // fewer messages than the meta said: none are left
	}
	if err := cb.Put([]byte(keyConvMeta), record.EncodeConvMeta(meta)); err != nil {
		return false, err
	}
	return meta.Count <= uint64(s.cfg.MaxMessages), nil
}

// RunSweeper sweeps at once and then every interval (the configured
// sweep_interval when every is not positive) until ctx ends. It blocks; the
// caller owns the goroutine it runs on. Sweep errors are logged.
func (s *Store) RunSweeper(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = s.cfg.SweepInterval
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.Sweep(ctx, s.now()); err != nil && !errors.Is(err, ctx.Err()) {
			s.log.Error("sweep failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
