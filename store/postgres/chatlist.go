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

// ChatSummaries returns user's conversations on platform, the most recently
// updated first. An unreadable entry is logged and skipped.
func (s *Store) ChatSummaries(ctx context.Context, platform core.Platform, user core.UserID) ([]core.ChatSummary, error) {
	rows, err := s.pool.Query(ctx, `SELECT chat, record FROM chat_lists WHERE platform = $1 AND user_id = $2
		ORDER BY chat`, []byte(platform), []byte(user))
	if err != nil {
		return nil, s.result("chat summaries", err)
	}
	var out []core.ChatSummary
	var chat, rec []byte
	_, err = pgx.ForEachRow(rows, []any{&chat, &rec}, func() error {
		sum, err := record.DecodeChatSummary(rec)
		if err != nil {
			s.log.Warn("skipping unreadable chat summary", "chat", fmt.Sprintf("%q", chat), "err", err)
			return nil
		}
		sum.Chat = core.ChatID(chat)
		out = append(out, sum)
		return nil
	})
	slices.SortStableFunc(out, func(a, b core.ChatSummary) int { return b.Updated.Compare(a.Updated) })
	return out, s.result("chat summaries", err)
}

// TouchChat records that user used chat at at: it adds the conversation
// with title when it is not listed yet, and otherwise only moves its update
// time forward.
func (s *Store) TouchChat(ctx context.Context, platform core.Platform, user core.UserID, chat core.ChatID, title string, at time.Time) error {
	return s.editChat(ctx, "touch chat", platform, user, chat, func(sum *core.ChatSummary, found bool) {
		if !found {
			sum.Title, sum.Created = title, at
		}
		if at.After(sum.Updated) {
			sum.Updated = at
		}
	})
}

// RenameChat sets the title of user's chat, adding it to the list when it
// is not there.
func (s *Store) RenameChat(ctx context.Context, platform core.Platform, user core.UserID, chat core.ChatID, title string) error {
	now := s.now()
	return s.editChat(ctx, "rename chat", platform, user, chat, func(sum *core.ChatSummary, found bool) {
		sum.Title = title
		if !found {
			sum.Created, sum.Updated = now, now
		}
	})
}

// DeleteChat removes chat from user's list; its history is not touched.
func (s *Store) DeleteChat(ctx context.Context, platform core.Platform, user core.UserID, chat core.ChatID) error {
	if err := storage.CheckChat(platform, user, chat); err != nil {
		return fmt.Errorf("postgres: delete chat: %w", err)
	}
	_, err := s.pool.Exec(ctx, `DELETE FROM chat_lists WHERE platform = $1 AND user_id = $2 AND chat = $3`,
		[]byte(platform), []byte(user), []byte(chat))
	return s.result("delete chat", err)
}

// editChat reads user's entry for chat under its row lock (zero when
// missing), lets edit change it and writes it back. Two replicas adding the
// same new entry at once serialise on the insert: the loser edits the
// winner's entry.
func (s *Store) editChat(ctx context.Context, op string, platform core.Platform, user core.UserID, chat core.ChatID,
	edit func(sum *core.ChatSummary, found bool)) error {
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
		sum, found := core.ChatSummary{}, false
		if len(rec) > 0 {
			var derr error
			if sum, derr = record.DecodeChatSummary(rec); derr != nil {
				s.log.Warn("replacing unreadable chat summary", "chat", fmt.Sprintf("%q", chat), "err", derr)
			}
			found = derr == nil
		}
		edit(&sum, found)
		if err := storage.CheckTitle(sum.Title); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE chat_lists SET record = $4 WHERE platform = $1 AND user_id = $2 AND chat = $3`,
			p, u, c, record.EncodeChatSummary(sum))
		return err
	})
}
