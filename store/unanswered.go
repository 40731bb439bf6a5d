package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"imbot/core"
)

// Unanswered is a question no tier could answer well, queued for the owner
// of the knowledge base. It is the core's type, so that *Store is a
// core.UnansweredLog as it stands.
type Unanswered = core.UnansweredQuestion

// Candidate is a knowledge-base entry that matched a question, with its score.
type Candidate = core.Candidate

// Queue limits: a question longer than maxQuestionLen is truncated (at a
// rune boundary) and at most maxCandidates candidates are kept.
const (
	maxQuestionLen = 16 << 10
	maxCandidates  = 32
)

// AddUnanswered queues u. A question over 16 KiB is cut at a rune boundary,
// only the first 32 candidates are kept, and a zero At means now.
func (s *Store) AddUnanswered(ctx context.Context, u Unanswered) error {
	if u.At.IsZero() {
		u.At = s.now()
	}
	u.Question = truncateUTF8(u.Question, maxQuestionLen)
	if len(u.Candidates) > maxCandidates {
		u.Candidates = u.Candidates[:maxCandidates]
	}
	rec := encodeUnanswered(u)
	at := clampedUnixNano(u.At)
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

// clampedUnixNano is t.UnixNano, saturated for times outside the years
// 1678–2262 that int64 nanoseconds can represent.
func clampedUnixNano(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// Unanswered returns the queued questions at or after since, oldest first.
// An unreadable entry is logged and skipped.
func (s *Store) Unanswered(ctx context.Context, since time.Time) ([]Unanswered, error) {
	var out []Unanswered
	err := s.view(ctx, "unanswered", func(tx *bolt.Tx) error {
		c := bucket(tx, bucketUnanswered).Cursor()
		for k, v := c.Seek(unansweredKey(clampedUnixNano(since), 0)); k != nil; k, v = c.Next() {
			u, err := decodeUnanswered(v)
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

// truncateUTF8 shortens s to at most n bytes without splitting a rune.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
