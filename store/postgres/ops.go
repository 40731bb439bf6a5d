package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"

	"imbot/core"
	"imbot/store/record"
	"imbot/store/storage"
)

// Backup fails with an error matching storage.ErrBackupUnsupported: a
// PostgreSQL store is backed up with pg_dump (see docs/scale-out.md).
func (s *Store) Backup(context.Context, io.Writer) (int64, error) {
	return 0, fmt.Errorf("postgres: backup: use pg_dump, e.g. pg_dump --format=custom --file=imbot.dump \"$IMBOT_PG_DSN\": %w",
		storage.ErrBackupUnsupported)
}

// Export calls fn with every conversation and its messages, oldest first,
// in key order (the bytes of the key, as bbolt orders them). Each
// conversation is read with one query and fn runs between queries, so fn
// may use the store. An error from fn stops the export and is returned as
// is.
func (s *Store) Export(ctx context.Context, fn func(conv core.ConversationKey, msgs []core.Message) error) error {
	after := []byte{}
	for {
		var name []byte
		err := s.pool.QueryRow(ctx, `SELECT conversation FROM conversations WHERE conversation > $1
			ORDER BY conversation LIMIT 1`, after).Scan(&name)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return s.result("export", err)
		}
		conv, err := core.ParseConversationKey(string(name))
		if err != nil {
			return fmt.Errorf("postgres: export: %w", err)
		}
		rows, err := s.pool.Query(ctx, `SELECT seq, record FROM messages WHERE conversation = $1 ORDER BY seq`, name)
		if err != nil {
			return s.result("export", err)
		}
		msgs, err := s.readMessages(conv, rows)
		if err != nil {
			return s.result("export", err)
		}
		if err := fn(conv, msgs); err != nil {
			return err
		}
		after = name
	}
}

// Stats counts what the database holds; FileBytes is the database's size.
func (s *Store) Stats(ctx context.Context) (storage.Stats, error) {
	st := storage.Stats{Backend: "postgres", Routes: map[string]int{}}
	err := s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM conversations), (SELECT count(*) FROM pending_turns),
		(SELECT count(*) FROM unanswered), (SELECT count(*) FROM vectors), pg_database_size(current_database())`).
		Scan(&st.Conversations, &st.Pending, &st.Unanswered, &st.Vectors, &st.FileBytes)
	if err != nil {
		return storage.Stats{}, s.result("stats", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT record FROM messages`)
	if err != nil {
		return storage.Stats{}, s.result("stats", err)
	}
	var rec []byte
	_, err = pgx.ForEachRow(rows, []any{&rec}, func() error {
		m, err := record.DecodeMessage(rec)
		if err != nil {
			return nil
		}
		st.Messages++
		st.Tokens += int64(m.Tokens)
		if m.Role == core.RoleAssistant {
			st.Routes[string(m.Route)]++
		}
		return nil
	})
	if err != nil {
		return storage.Stats{}, s.result("stats", err)
	}
	return st, nil
}

// WriteStats writes Stats as one JSON object, the admin API's answer.
func (s *Store) WriteStats(ctx context.Context, w io.Writer) error {
	st, err := s.Stats(ctx)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(w).Encode(st); err != nil {
		return fmt.Errorf("postgres: stats: %w", err)
	}
	return nil
}
