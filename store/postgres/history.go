package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"imbot/core"
	"imbot/store/record"
	"imbot/store/storage"
)

// Recent returns up to limit newest messages of conv, oldest first; none
// when limit is not positive or conv has no history. An unreadable message
// is logged and skipped.
func (s *Store) Recent(ctx context.Context, conv core.ConversationKey, limit int) ([]core.Message, error) {
	if err := storage.CheckKey("conversation key", conv.String()); err != nil {
		return nil, fmt.Errorf("postgres: recent: %w", err)
	}
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT seq, record FROM messages WHERE conversation = $1
		ORDER BY seq DESC LIMIT $2`, []byte(conv.String()), limit)
	if err != nil {
		return nil, s.result("recent", err)
	}
	msgs, err := s.readMessages(conv, rows)
	slices.Reverse(msgs)
	return msgs, s.result("recent", err)
}

// readMessages decodes rows of (seq, record), logging and skipping an
// unreadable message.
func (s *Store) readMessages(conv core.ConversationKey, rows pgx.Rows) ([]core.Message, error) {
	var msgs []core.Message
	var seq int64
	var rec []byte
	_, err := pgx.ForEachRow(rows, []any{&seq, &rec}, func() error {
		m, err := record.DecodeMessage(rec)
		if err != nil {
			s.log.Warn("skipping unreadable message", "conversation", fmt.Sprintf("%q", conv), "seq", seq, "err", err)
			return nil
		}
		msgs = append(msgs, m)
		return nil
	})
	return msgs, err
}

// Complete appends the turn's user message, its follow-ups and the reply to
// its conversation (numbered after its last message under the
// conversation row's lock), remembers the reply messages saved with
// SaveReplyRef as the bot's, files the turn's record and deletes the pending
// records of the envelope and its follow-ups, in one transaction. For a
// replica of a cluster it records behind the fence (fence.go): when another
// replica took the turn over or recorded it, it writes nothing and returns
// an error matching core.ErrTurnTakenOver.
func (s *Store) Complete(ctx context.Context, turn core.Turn) error {
	if err := storage.CheckTurn(turn); err != nil {
		return fmt.Errorf("postgres: complete: %w", err)
	}
	env := turn.Envelope
	pkeys := [][]byte{storage.PendingKey(env)}
	users := [][]byte{[]byte(env.UserID)}
	recs := [][]byte{record.EncodeMessage(turn.User, env.UserID)}
	for _, f := range turn.Followups {
		pkeys = append(pkeys, storage.PendingKey(f.Envelope))
		users = append(users, []byte(f.Envelope.UserID))
		recs = append(recs, record.EncodeMessage(f.User, f.Envelope.UserID))
	}
	users = append(users, []byte(env.UserID))
	recs = append(recs, record.EncodeMessage(turn.Reply, env.UserID))
	r := storage.TurnRecordOf(turn)
	now := s.now()
	return s.tx(ctx, "complete", func(tx pgx.Tx) error {
		// The conversation row is locked before the pending rows, as Forget
		// locks them; a fence that fails rolls the messages back.
		if err := appendMessages(ctx, tx, []byte(env.Conversation().String()), now, users, recs); err != nil {
			return err
		}
		if err := putTurnRecord(ctx, tx, r); err != nil {
			return err
		}
		owner := s.replica.Load()
		for _, k := range pkeys {
			if err := s.clearPending(ctx, tx, k, now, owner); err != nil {
				return err
			}
		}
		return nil
	})
}

// appendMessages appends recs (of users) to conversation conv, created at
// now when new, and records the activity at now.
func appendMessages(ctx context.Context, tx pgx.Tx, conv []byte, now time.Time, users, recs [][]byte) error {
	n := int64(len(recs))
	var first int64
	err := tx.QueryRow(ctx, `INSERT INTO conversations (conversation, created, last_used, next_seq)
		VALUES ($1, $2, $2, 1 + $3)
		ON CONFLICT (conversation) DO UPDATE SET last_used = EXCLUDED.last_used, next_seq = conversations.next_seq + $3
		RETURNING next_seq - $3`, conv, now, n).Scan(&first)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO messages (conversation, seq, user_id, record)
		SELECT $1, $2 + o - 1, u, r FROM unnest($3::bytea[], $4::bytea[]) WITH ORDINALITY AS m(u, r, o)`,
		conv, first, users, recs)
	return err
}

// putTurnRecord files r, replacing an earlier record of the same turn.
func putTurnRecord(ctx context.Context, tx pgx.Tx, r core.TurnRecord) error {
	_, err := tx.Exec(ctx, `INSERT INTO turn_records (key, conversation, platform, user_id, at, record)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (key) DO UPDATE SET conversation = EXCLUDED.conversation, platform = EXCLUDED.platform,
			user_id = EXCLUDED.user_id, at = EXCLUDED.at, record = EXCLUDED.record`,
		storage.TurnKey(r.Conversation, r.Turn), []byte(r.Conversation.String()), []byte(r.Platform), []byte(r.User),
		r.At, record.EncodeTurnRecord(r))
	return err
}

// Reset deletes conv's history; resetting an unknown conversation is not an
// error.
func (s *Store) Reset(ctx context.Context, conv core.ConversationKey) error {
	if err := storage.CheckKey("conversation key", conv.String()); err != nil {
		return fmt.Errorf("postgres: reset: %w", err)
	}
	_, err := s.exec(ctx, "reset", `DELETE FROM conversations WHERE conversation = $1`, []byte(conv.String()))
	return err
}
