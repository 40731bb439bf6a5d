package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"imbot/core"
	"imbot/store/record"
	"imbot/store/storage"
)

// errDuplicate rolls back an Accept that found a dedup mark in force.
var errDuplicate = errors.New("duplicate")

// Accept records env as accepted and pending unless one of its dedup keys
// is marked and unexpired, or it is already pending; it reports false for
// such a duplicate. Marks are claimed with INSERT … ON CONFLICT, so of two
// replicas accepting the same message at once exactly one wins; the marks
// and the pending row commit in one transaction.
func (s *Store) Accept(ctx context.Context, env core.Envelope) (bool, error) {
	if err := storage.CheckEnvelope(env); err != nil {
		return false, fmt.Errorf("postgres: accept: %w", err)
	}
	now := s.now()
	rec := record.EncodePending(record.Pending{Env: env})
	err := s.tx(ctx, "accept", func(tx pgx.Tx) error {
		for _, k := range env.DedupKeys() {
			claimed, err := claimMark(ctx, tx, []byte(k), now, now.Add(s.ret.DedupTTL))
			if err != nil {
				return err
			}
			if !claimed {
				return errDuplicate
			}
		}
		// accepted_at is the database's time, as every lease is: a takeover
		// compares it with now() (Cluster.candidates).
		tag, err := tx.Exec(ctx, `INSERT INTO pending_turns (key, conversation, platform, user_id, accepted_at, record)
			VALUES ($1, $2, $3, $4, now(), $5) ON CONFLICT (key) DO NOTHING`,
			storage.PendingKey(env), []byte(env.Conversation().String()), []byte(env.Platform), []byte(env.UserID), rec)
		if err == nil && tag.RowsAffected() == 0 {
			err = errDuplicate
		}
		return err
	})
	if errors.Is(err, errDuplicate) {
		s.metrics.Accepted(false)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	s.metrics.Accepted(true)
	return true, nil
}

// claimMark writes the dedup mark key until expires unless a mark in force
// at now holds it; it reports whether it wrote.
func claimMark(ctx context.Context, tx pgx.Tx, key []byte, now, expires time.Time) (bool, error) {
	tag, err := tx.Exec(ctx, `INSERT INTO dedup_marks (key, expires) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET expires = EXCLUDED.expires WHERE dedup_marks.expires <= $3`, key, expires, now)
	return tag.RowsAffected() == 1, err
}

// Seen reports whether Accept would take env for a duplicate; it records
// nothing.
func (s *Store) Seen(ctx context.Context, env core.Envelope) (bool, error) {
	if err := storage.CheckEnvelope(env); err != nil {
		return false, fmt.Errorf("postgres: seen: %w", err)
	}
	keys := make([][]byte, 0, 2)
	for _, k := range env.DedupKeys() {
		keys = append(keys, []byte(k))
	}
	var seen bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pending_turns WHERE key = $1)
		OR EXISTS (SELECT 1 FROM dedup_marks WHERE key = ANY($2) AND expires > $3)`,
		storage.PendingKey(env), keys, s.now()).Scan(&seen)
	return seen, s.result("seen", err)
}

// Pending returns the accepted envelopes whose turn has not completed, in
// acceptance order. An unreadable record is logged and skipped.
func (s *Store) Pending(ctx context.Context) ([]core.Envelope, error) {
	var envs []core.Envelope
	err := eachRecord(ctx, s, "pending", "pending record", record.DecodePending,
		func(_ []byte, p record.Pending) { envs = append(envs, p.Env) },
		`SELECT key, record FROM pending_turns ORDER BY seq`)
	return envs, err
}

// Drop forgets env's pending record without writing history; its dedup
// marks stay, and its saved reply messages are remembered as the bot's.
// Dropping an envelope that is not pending is not an error.
func (s *Store) Drop(ctx context.Context, env core.Envelope) error {
	if err := storage.CheckEnvelope(env); err != nil {
		return fmt.Errorf("postgres: drop: %w", err)
	}
	now := s.now()
	return s.tx(ctx, "drop", func(tx pgx.Tx) error { return s.clearPending(ctx, tx, storage.PendingKey(env), now, nil) })
}

// clearPending deletes the pending record under key, remembering its reply
// messages as the bot's; a missing record is no error. With owner set (a
// replica recording its turn, behind the fence of fence.go) it deletes only
// a record owned by *owner or by none, and finding none is an error
// matching core.ErrTurnTakenOver.
func (s *Store) clearPending(ctx context.Context, tx pgx.Tx, key []byte, now time.Time, owner *string) error {
	var rec []byte
	var err error
	if owner == nil {
		err = tx.QueryRow(ctx, `DELETE FROM pending_turns WHERE key = $1 RETURNING record`, key).Scan(&rec)
	} else {
		err = tx.QueryRow(ctx, `DELETE FROM pending_turns WHERE key = $1 AND (owner IS NULL OR owner = $2)
			RETURNING record`, key, *owner).Scan(&rec)
	}
	if errors.Is(err, pgx.ErrNoRows) && owner != nil {
		return takenOver(*owner)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	p, err := record.DecodePending(rec)
	if err != nil || len(p.Ref.Messages) == 0 {
		return nil // an unreadable record has no ids to keep
	}
	keys, err := storage.BotMessageKeys(p.Env.Platform, p.Env.ChatID, p.Ref.Messages)
	if err != nil {
		return nil
	}
	return putMarks(ctx, tx, keys, now.Add(s.ret.BotMessageTTL))
}

// pendingRecord reads env's pending record; the zero Pending when env is
// not pending.
func (s *Store) pendingRecord(ctx context.Context, op string, env core.Envelope) (record.Pending, error) {
	if err := storage.CheckEnvelope(env); err != nil {
		return record.Pending{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	var rec []byte
	err := s.pool.QueryRow(ctx, `SELECT record FROM pending_turns WHERE key = $1`, storage.PendingKey(env)).Scan(&rec)
	if errors.Is(err, pgx.ErrNoRows) {
		return record.Pending{}, s.result(op, nil)
	}
	if err != nil {
		return record.Pending{}, s.result(op, err)
	}
	p, err := record.DecodePending(rec)
	if err != nil {
		return record.Pending{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	return p, nil
}

// updatePending rewrites env's pending record with change applied, under
// the row's lock; it does nothing when env is not pending or its record is
// unreadable.
func (s *Store) updatePending(ctx context.Context, op string, env core.Envelope, change func(*record.Pending)) error {
	return s.rewritePending(ctx, op, env, false, change)
}

// rewritePending is updatePending, behind the fence when fenced.
func (s *Store) rewritePending(ctx context.Context, op string, env core.Envelope, fenced bool, change func(*record.Pending)) error {
	if err := storage.CheckEnvelope(env); err != nil {
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	key := storage.PendingKey(env)
	return s.tx(ctx, op, func(tx pgx.Tx) error {
		if fenced {
			if err := s.fence(ctx, tx, [][]byte{key}); err != nil {
				return err
			}
		}
		var rec []byte
		err := tx.QueryRow(ctx, `SELECT record FROM pending_turns WHERE key = $1 FOR UPDATE`, key).Scan(&rec)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		p, err := record.DecodePending(rec)
		if err != nil {
			s.log.Warn("pending record unreadable; not updated", "key", fmt.Sprintf("%q", key), "err", err)
			return nil
		}
		change(&p)
		_, err = tx.Exec(ctx, `UPDATE pending_turns SET record = $2 WHERE key = $1`, key, record.EncodePending(p))
		return err
	})
}

// RememberBotMessages records ids as the bot's messages in chat for
// bot_message_ttl.
func (s *Store) RememberBotMessages(ctx context.Context, platform core.Platform, chat core.ChatID, ids ...core.MessageID) error {
	keys, err := storage.BotMessageKeys(platform, chat, ids)
	if err != nil {
		return fmt.Errorf("postgres: remember bot messages: %w", err)
	}
	expires := s.now().Add(s.ret.BotMessageTTL)
	return s.tx(ctx, "bot_messages", func(tx pgx.Tx) error { return putMarks(ctx, tx, keys, expires) })
}

// putMarks remembers keys in bot_messages until expires.
func putMarks(ctx context.Context, tx pgx.Tx, keys [][]byte, expires time.Time) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO bot_messages (key, expires) SELECT DISTINCT k, $2::timestamptz FROM unnest($1::bytea[]) AS k
		ON CONFLICT (key) DO UPDATE SET expires = EXCLUDED.expires`, keys, expires)
	return err
}

// BotMessage reports whether id is a bot message of chat remembered within
// bot_message_ttl.
func (s *Store) BotMessage(ctx context.Context, platform core.Platform, chat core.ChatID, id core.MessageID) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM bot_messages WHERE key = $1 AND expires > $2)`,
		storage.BotMessageKey(platform, chat, id), s.now()).Scan(&ok)
	return ok, s.result("bot message", err)
}
