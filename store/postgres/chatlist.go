package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"imbot/core"
	"imbot/store/record"
	"imbot/store/storage"
)

// ChatSummaries returns user's conversations on platform, the most recently
// updated first. An unreadable entry is logged and skipped.
func (s *Store) ChatSummaries(ctx context.Context, platform core.Platform, user core.UserID) ([]core.ChatSummary, error) {
	var out []core.ChatSummary
	err := eachRecord(ctx, s, "chat summaries", "chat summary", record.DecodeChatSummary,
		func(chat []byte, sum core.ChatSummary) {
			sum.Chat = core.ChatID(chat)
			out = append(out, sum)
		}, `SELECT chat, record FROM chat_lists WHERE platform = $1 AND user_id = $2 ORDER BY chat`,
		[]byte(platform), []byte(user))
	slices.SortStableFunc(out, func(a, b core.ChatSummary) int { return b.Updated.Compare(a.Updated) })
	return out, err
}

// DeleteChat removes chat from user's list; its history is not touched.
func (s *Store) DeleteChat(ctx context.Context, platform core.Platform, user core.UserID, chat core.ChatID) error {
	if err := storage.CheckChat(platform, user, chat); err != nil {
		return fmt.Errorf("postgres: delete chat: %w", err)
	}
	_, err := s.exec(ctx, "delete chat", `DELETE FROM chat_lists WHERE platform = $1 AND user_id = $2 AND chat = $3`,
		[]byte(platform), []byte(user), []byte(chat))
	return err
}

// rewriteChat is storage.RewriteChat on chat_lists, under the entry's row
// lock. Two replicas adding the same new entry at once serialise on the
// insert: the loser rewrites the winner's entry.
func (s *Store) rewriteChat(ctx context.Context, op string, platform core.Platform, user core.UserID, chat core.ChatID,
	change func(rec []byte) ([]byte, error)) error {
	if err := storage.CheckChat(platform, user, chat); err != nil {
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	p, u, c := []byte(platform), []byte(user), []byte(chat)
	return s.tx(ctx, op, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO chat_lists (platform, user_id, chat, record) VALUES ($1, $2, $3, '')
			ON CONFLICT DO NOTHING`, p, u, c); err != nil {
			return err
		}
		var rec []byte
		if err := tx.QueryRow(ctx, `SELECT record FROM chat_lists WHERE platform = $1 AND user_id = $2 AND chat = $3
			FOR UPDATE`, p, u, c).Scan(&rec); err != nil {
			return err
		}
		if len(rec) == 0 { // the entry inserted above
			rec = nil
		}
		rec, err := change(rec)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE chat_lists SET record = $4 WHERE platform = $1 AND user_id = $2 AND chat = $3`,
			p, u, c, rec)
		return err
	})
}
