package postgres

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"imbot/store/record"
	"imbot/store/storage"
)

var _ storage.Loader = (*Store)(nil)

// Load files items dumped from another store, in one transaction,
// idempotently: rows already there are kept (history is numbered by the
// source's sequence, so it is never duplicated), expiry times and counters
// take the larger of both. A record it cannot decode fails the load.
func (s *Store) Load(ctx context.Context, items []storage.Item) error {
	now := s.now()
	return s.tx(ctx, "load", func(tx pgx.Tx) error {
		for _, it := range items {
			if err := loadItem(ctx, tx, it, now); err != nil {
				return fmt.Errorf("kind %d key %q: %w", it.Kind, it.Key, err)
			}
		}
		return nil
	})
}

// loadItem files one item.
func loadItem(ctx context.Context, tx pgx.Tx, it storage.Item, now time.Time) error {
	load := loaderOf(it.Kind)
	if load == nil {
		return fmt.Errorf("unknown record kind")
	}
	sql, args, err := load(it, now)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, sql, args...)
	return err
}

// loaderOf returns the function that turns an item of kind k into the
// statement that files it; nil for an unknown kind.
func loaderOf(k storage.Kind) func(storage.Item, time.Time) (string, []any, error) {
	switch k {
	case storage.KindConversation:
		return loadConversation
	case storage.KindMessage:
		return loadMessage
	case storage.KindDedup:
		return loadExpiry("dedup_marks")
	case storage.KindBotMessage:
		return loadExpiry("bot_messages")
	case storage.KindPending:
		return loadPending
	case storage.KindCursor:
		return loadCursor
	case storage.KindUnanswered:
		return loadUnanswered
	case storage.KindUsage:
		return loadUsage
	case storage.KindVector:
		return loadVector
	case storage.KindChat:
		return loadChat
	case storage.KindState:
		return loadState
	case storage.KindTurn:
		return loadTurn
	}
	return nil
}

func loadConversation(it storage.Item, _ time.Time) (string, []any, error) {
	m, err := record.DecodeConvMeta(it.Value)
	if err != nil {
		return "", nil, err
	}
	return `INSERT INTO conversations (conversation, created, last_used) VALUES ($1, $2, $3)
		ON CONFLICT (conversation) DO UPDATE SET created = LEAST(conversations.created, EXCLUDED.created),
			last_used = GREATEST(conversations.last_used, EXCLUDED.last_used)`, []any{it.Key, m.Created, m.Last}, nil
}

func loadMessage(it storage.Item, _ time.Time) (string, []any, error) {
	_, user, err := record.DecodeMessageUser(it.Value)
	if err != nil {
		return "", nil, err
	}
	return `WITH m AS (INSERT INTO messages (conversation, seq, user_id, record) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING)
		UPDATE conversations SET next_seq = GREATEST(next_seq, $2 + 1) WHERE conversation = $1`,
		[]any{it.Key, int64(it.Seq), []byte(user), it.Value}, nil
}

// loadExpiry files a mark of table (dedup_marks or bot_messages).
func loadExpiry(table string) func(storage.Item, time.Time) (string, []any, error) {
	return func(it storage.Item, _ time.Time) (string, []any, error) {
		exp, err := record.DecodeExpiry(it.Value)
		if err != nil {
			return "", nil, err
		}
		return `INSERT INTO ` + table + ` (key, expires) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET expires = GREATEST(` + table + `.expires, EXCLUDED.expires)`,
			[]any{it.Key, exp}, nil
	}
}

func loadPending(it storage.Item, now time.Time) (string, []any, error) {
	p, err := record.DecodePending(it.Value)
	if err != nil {
		return "", nil, err
	}
	return `INSERT INTO pending_turns (key, conversation, platform, user_id, accepted_at, record)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO NOTHING`,
		[]any{it.Key, []byte(p.Env.Conversation().String()), []byte(p.Env.Platform), []byte(p.Env.UserID), now, it.Value}, nil
}

func loadCursor(it storage.Item, _ time.Time) (string, []any, error) {
	v, err := record.DecodeCursor(it.Value)
	if err != nil {
		return "", nil, err
	}
	return `INSERT INTO cursors (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
		[]any{it.Key, []byte(v)}, nil
}

func loadUnanswered(it storage.Item, _ time.Time) (string, []any, error) {
	u, err := record.DecodeUnanswered(it.Value)
	if err != nil {
		return "", nil, err
	}
	return `INSERT INTO unanswered (at, platform, user_id, conversation, record)
		SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM unanswered WHERE at = $1 AND record = $5)`,
		[]any{u.At, []byte(u.Platform), []byte(u.User), convBytes(u.Conversation), it.Value}, nil
}

func loadUsage(it storage.Item, _ time.Time) (string, []any, error) {
	day, key, ok := bytes.Cut(it.Key, []byte{0})
	n, err := record.DecodeCount(it.Value)
	if err == nil && (!ok || storage.CheckUsage(string(key), string(day), 0) != nil) {
		err = fmt.Errorf("bad usage key")
	}
	if err != nil {
		return "", nil, err
	}
	return `INSERT INTO usage_counters (day, key, tokens) VALUES ($1::date, $2, $3)
		ON CONFLICT (day, key) DO UPDATE SET tokens = GREATEST(usage_counters.tokens, EXCLUDED.tokens)`,
		[]any{string(day), key, int64(min(n, 1<<63-1))}, nil
}

func loadVector(it storage.Item, _ time.Time) (string, []any, error) {
	_, used, err := record.DecodeVector(it.Value)
	if err != nil {
		return "", nil, err
	}
	return `INSERT INTO vectors (key, used, record) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`,
		[]any{it.Key, used, it.Value}, nil
}

func loadChat(it storage.Item, _ time.Time) (string, []any, error) {
	parts := bytes.SplitN(it.Key, []byte{0}, 3)
	_, err := record.DecodeChatSummary(it.Value)
	if err == nil && len(parts) != 3 {
		err = fmt.Errorf("bad chat list key")
	}
	if err != nil {
		return "", nil, err
	}
	return `INSERT INTO chat_lists (platform, user_id, chat, record) VALUES ($1, $2, $3, $4)
		ON CONFLICT (platform, user_id, chat) DO UPDATE SET record = EXCLUDED.record`,
		[]any{parts[0], parts[1], parts[2], it.Value}, nil
}

func loadState(it storage.Item, _ time.Time) (string, []any, error) {
	if _, err := record.DecodeState(it.Value); err != nil {
		return "", nil, err
	}
	return `INSERT INTO conversation_states (conversation, record) VALUES ($1, $2)
		ON CONFLICT (conversation) DO UPDATE SET record = EXCLUDED.record`, []any{it.Key, it.Value}, nil
}

func loadTurn(it storage.Item, _ time.Time) (string, []any, error) {
	r, err := record.DecodeTurnRecord(it.Value)
	if err != nil {
		return "", nil, err
	}
	return `INSERT INTO turn_records (key, conversation, platform, user_id, at, record) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (key) DO UPDATE SET record = EXCLUDED.record`,
		[]any{it.Key, []byte(r.Conversation.String()), []byte(r.Platform), []byte(r.User), r.At, it.Value}, nil
}
