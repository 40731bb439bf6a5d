package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"imbot/core"
	"imbot/store/record"
	"imbot/store/storage"
)

// Cursor returns the value saved under name, or "" when none was saved.
func (s *Store) Cursor(ctx context.Context, name string) (string, error) {
	if err := storage.CheckKey("cursor name", name); err != nil {
		return "", fmt.Errorf("postgres: cursor: %w", err)
	}
	var v []byte
	err := s.pool.QueryRow(ctx, `SELECT value FROM cursors WHERE name = $1`, []byte(name)).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		err = nil
	}
	return string(v), s.result("cursor", err)
}

// SetCursor durably saves value under name, replacing any earlier value.
func (s *Store) SetCursor(ctx context.Context, name, value string) error {
	if err := storage.CheckCursor(name, value); err != nil {
		return fmt.Errorf("postgres: set cursor: %w", err)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO cursors (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`, []byte(name), []byte(value))
	return s.result("set cursor", err)
}

// State returns conv's conversation state, expired or not; false when it
// has none. An unreadable record counts as none (and is logged).
func (s *Store) State(ctx context.Context, conv core.ConversationKey) (core.ConversationState, bool, error) {
	if err := storage.CheckKey("conversation key", conv.String()); err != nil {
		return core.ConversationState{}, false, fmt.Errorf("postgres: state: %w", err)
	}
	var rec []byte
	err := s.pool.QueryRow(ctx, `SELECT record FROM conversation_states WHERE conversation = $1`,
		[]byte(conv.String())).Scan(&rec)
	if errors.Is(err, pgx.ErrNoRows) {
		return core.ConversationState{}, false, s.result("state", nil)
	}
	if err != nil {
		return core.ConversationState{}, false, s.result("state", err)
	}
	st, err := record.DecodeState(rec)
	if err != nil {
		s.log.Warn("skipping unreadable conversation state", "conversation", fmt.Sprintf("%q", conv), "err", err)
		return core.ConversationState{}, false, nil
	}
	return st, true, nil
}

// SetState replaces conv's conversation state.
func (s *Store) SetState(ctx context.Context, conv core.ConversationKey, st core.ConversationState) error {
	if err := storage.CheckKey("conversation key", conv.String()); err != nil {
		return fmt.Errorf("postgres: set state: %w", err)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO conversation_states (conversation, record) VALUES ($1, $2)
		ON CONFLICT (conversation) DO UPDATE SET record = EXCLUDED.record`, []byte(conv.String()), record.EncodeState(st))
	return s.result("set state", err)
}

// ClearState forgets conv's conversation state and reports whether it had
// one.
func (s *Store) ClearState(ctx context.Context, conv core.ConversationKey) (bool, error) {
	if err := storage.CheckKey("conversation key", conv.String()); err != nil {
		return false, fmt.Errorf("postgres: clear state: %w", err)
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM conversation_states WHERE conversation = $1`, []byte(conv.String()))
	return tag.RowsAffected() > 0, s.result("clear state", err)
}

// Vote sets the vote on fb's turn and returns its record; false when the
// turn has no record.
func (s *Store) Vote(ctx context.Context, fb core.Feedback) (core.TurnRecord, bool, error) {
	key, err := storage.CheckVote(fb)
	if err != nil {
		return core.TurnRecord{}, false, fmt.Errorf("postgres: vote: %w", err)
	}
	var r core.TurnRecord
	var found bool
	err = s.tx(ctx, "vote", func(tx pgx.Tx) error {
		found = false
		var rec []byte
		err := tx.QueryRow(ctx, `SELECT record FROM turn_records WHERE key = $1 FOR UPDATE`, key).Scan(&rec)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if r, err = record.DecodeTurnRecord(rec); err != nil {
			return err
		}
		r.Vote, r.VotedAt, found = fb.Vote, fb.At, true
		_, err = tx.Exec(ctx, `UPDATE turn_records SET record = $2 WHERE key = $1`, key, record.EncodeTurnRecord(r))
		return err
	})
	return r, found, err
}

// TurnRecords returns the records of turns answered at or after since,
// oldest first; unreadable ones are logged and skipped.
func (s *Store) TurnRecords(ctx context.Context, since time.Time) ([]core.TurnRecord, error) {
	// The column keeps microseconds: the query may return records a few
	// nanoseconds early, which the exact comparison below drops.
	rows, err := s.pool.Query(ctx, `SELECT key, record FROM turn_records WHERE at >= $1 ORDER BY key`, since)
	if err != nil {
		return nil, s.result("turn records", err)
	}
	var out []core.TurnRecord
	var key, rec []byte
	_, err = pgx.ForEachRow(rows, []any{&key, &rec}, func() error {
		r, err := record.DecodeTurnRecord(rec)
		if err != nil {
			s.log.Warn("skipping unreadable turn record", "key", fmt.Sprintf("%q", key), "err", err)
		} else if !r.At.Before(since) {
			out = append(out, r)
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b core.TurnRecord) int { return a.At.Compare(b.At) })
	return out, s.result("turn records", err)
}

// AddUnanswered queues u, with the same limits as every backend (see
// storage.PrepareUnanswered).
func (s *Store) AddUnanswered(ctx context.Context, u core.UnansweredQuestion) error {
	u = storage.PrepareUnanswered(u, s.now())
	_, err := s.pool.Exec(ctx, `INSERT INTO unanswered (at, platform, user_id, conversation, record)
		VALUES ($1, $2, $3, $4, $5)`, u.At, []byte(u.Platform), []byte(u.User), convBytes(u.Conversation),
		record.EncodeUnanswered(u))
	return s.result("unanswered", err)
}

// convBytes is k's key, empty for the zero key.
func convBytes(k core.ConversationKey) []byte {
	if k == (core.ConversationKey{}) {
		return []byte{}
	}
	return []byte(k.String())
}

// Unanswered returns the queued questions at or after since, oldest first
// (in insertion order for equal times). An unreadable entry is logged and
// skipped.
func (s *Store) Unanswered(ctx context.Context, since time.Time) ([]core.UnansweredQuestion, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, record FROM unanswered WHERE at >= $1 ORDER BY at, id`, since)
	if err != nil {
		return nil, s.result("unanswered", err)
	}
	var out []core.UnansweredQuestion
	var id int64
	var rec []byte
	_, err = pgx.ForEachRow(rows, []any{&id, &rec}, func() error {
		u, err := record.DecodeUnanswered(rec)
		if err != nil {
			s.log.Warn("skipping unreadable unanswered entry", "id", id, "err", err)
		} else if !u.At.Before(since) {
			out = append(out, u)
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b core.UnansweredQuestion) int { return a.At.Compare(b.At) })
	return out, s.result("unanswered", err)
}

// AddUsage adds tokens (which must not be negative) to the counter of key
// on day ("YYYY-MM-DD"), shared by every replica; the counter saturates
// instead of overflowing.
func (s *Store) AddUsage(ctx context.Context, key, day string, tokens int) error {
	if err := storage.CheckUsage(key, day, tokens); err != nil {
		return fmt.Errorf("postgres: add usage: %w", err)
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO usage_counters (day, key, tokens) VALUES ($1::date, $2, $3)
		ON CONFLICT (day, key) DO UPDATE SET tokens = CASE
			WHEN usage_counters.tokens > 9223372036854775807 - EXCLUDED.tokens THEN 9223372036854775807
			ELSE usage_counters.tokens + EXCLUDED.tokens END`, day, []byte(key), int64(tokens))
	return s.result("add usage", err)
}

// Usage returns the counter of key on day, 0 when nothing was added.
func (s *Store) Usage(ctx context.Context, key, day string) (int, error) {
	if err := storage.CheckUsage(key, day, 0); err != nil {
		return 0, fmt.Errorf("postgres: usage: %w", err)
	}
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT tokens FROM usage_counters WHERE day = $1::date AND key = $2`,
		day, []byte(key)).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		err = nil
	}
	return int(min(n, math.MaxInt)), s.result("usage", err)
}
