package postgres

import (
	"bytes"
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"imbot/core"
)

// ForgetUser deletes everything the store keeps about user of platform, in
// one transaction, with the same rules as the bbolt store: conversations
// that are theirs (kept per user, a direct chat whose id is the user's, or
// listed in their chat list) and the list itself, their messages in shared
// conversations (a shared conversation left empty goes whole), their
// unanswered questions, usage counters, pending messages, turn records and
// the states of the conversations deleted whole.
func (s *Store) ForgetUser(ctx context.Context, platform core.Platform, user core.UserID) (core.Erased, error) {
	if platform == "" || user == "" {
		return core.Erased{}, errors.New("postgres: forget user: want a platform and a user id")
	}
	p, u := []byte(platform), []byte(user)
	var out core.Erased
	err := s.tx(ctx, "forget user", func(tx pgx.Tx) error {
		out = core.Erased{}
		listed, err := collect[[]byte](ctx, tx, `DELETE FROM chat_lists WHERE platform = $1 AND user_id = $2 RETURNING chat`, p, u)
		if err != nil {
			return err
		}
		gone, err := forgetConversations(ctx, tx, platform, user, listed, &out)
		if err != nil {
			return err
		}
		steps := []struct {
			count *int
			sql   string
			args  []any
		}{
			{&out.Unanswered, `DELETE FROM unanswered WHERE platform = $1 AND (user_id = $2 OR conversation = ANY($3))`, []any{p, u, gone}},
			{&out.Usage, `DELETE FROM usage_counters WHERE key = $1`, []any{[]byte(string(platform) + ":" + string(user))}},
			{&out.Pending, `DELETE FROM pending_turns WHERE platform = $1 AND user_id = $2`, []any{p, u}},
			{&out.Turns, `DELETE FROM turn_records WHERE platform = $1 AND (user_id = $2 OR conversation = ANY($3))`, []any{p, u, gone}},
			{&out.States, `DELETE FROM conversation_states WHERE conversation = ANY($1)`, []any{gone}},
		}
		for _, st := range steps {
			tag, err := tx.Exec(ctx, st.sql, st.args...)
			if err != nil {
				return err
			}
			*st.count = int(tag.RowsAffected())
		}
		return nil
	})
	return out, err
}

// forgetConversations deletes user's conversations of platform and their
// messages in shared ones; it returns the keys of the conversations deleted
// whole.
func forgetConversations(ctx context.Context, tx pgx.Tx, platform core.Platform, user core.UserID, listed [][]byte, out *core.Erased) ([][]byte, error) {
	prefix := []byte(string(platform) + "\x00")
	keys, err := collect[[]byte](ctx, tx, `SELECT conversation FROM conversations
		WHERE substring(conversation FROM 1 FOR $2) = $1 ORDER BY conversation`, prefix, len(prefix))
	if err != nil {
		return nil, err
	}
	gone := [][]byte{}
	for _, name := range keys {
		key, err := core.ParseConversationKey(string(name))
		if err != nil {
			continue // not a conversation this release wrote
		}
		whole := key.User == user || key.Chat == core.ChatID(user) || containsBytes(listed, []byte(key.Chat))
		if !whole {
			if whole, err = forgetMessages(ctx, tx, name, user, out); err != nil {
				return nil, err
			}
		}
		if !whole {
			continue
		}
		if _, err := tx.Exec(ctx, `DELETE FROM conversations WHERE conversation = $1`, name); err != nil {
			return nil, err
		}
		gone = append(gone, name)
		out.Conversations++
	}
	return gone, nil
}

// forgetMessages deletes user's messages from the shared conversation conv
// and counts them in out; it reports true, counting none, when that left
// the conversation empty, so it goes whole.
func forgetMessages(ctx context.Context, tx pgx.Tx, conv []byte, user core.UserID, out *core.Erased) (bool, error) {
	tag, err := tx.Exec(ctx, `DELETE FROM messages WHERE conversation = $1 AND user_id = $2`, conv, []byte(user))
	if err != nil || tag.RowsAffected() == 0 {
		return false, err
	}
	var left bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM messages WHERE conversation = $1)`, conv).Scan(&left); err != nil {
		return false, err
	}
	if !left {
		return true, nil
	}
	out.Messages += int(tag.RowsAffected())
	return false, nil
}

// containsBytes reports whether list holds b.
func containsBytes(list [][]byte, b []byte) bool {
	for _, x := range list {
		if bytes.Equal(x, b) {
			return true
		}
	}
	return false
}

// collect returns the single column of the rows sql selects.
func collect[T any](ctx context.Context, tx pgx.Tx, sql string, args ...any) ([]T, error) {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[T])
}
