package store

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	bolt "go.etcd.io/bbolt"

	"imbot/core"
	"imbot/store/storage"
)

// statsChunk bounds the conversations one read transaction of Stats visits,
// so that a running daemon's writers can reuse pages between them.
const statsChunk = 100

// Stats describes what the store holds and how its file is used.
type Stats = storage.Stats

// Stats counts the store's contents and reads its file's use of space. It
// reads in many short transactions, so it may run beside normal traffic.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Backend: "bbolt", Routes: map[string]int{}}
	err := s.view(ctx, "stats", func(tx *bolt.Tx) error {
		st.Pending = bucket(tx, bucketPending).Stats().KeyN
		st.Unanswered = bucket(tx, bucketUnanswered).Stats().KeyN
		st.Vectors = bucket(tx, bucketVector).Stats().KeyN
		st.FileBytes = tx.Size()
		return nil
	})
	if err != nil {
		return Stats{}, err
	}
	var from []byte
	for more := true; more; {
		err := s.view(ctx, "stats", func(tx *bolt.Tx) error {
			names, next := nestedBuckets(bucket(tx, bucketConv), from, statsChunk)
			for _, name := range names {
				s.countConversation(tx, name, &st)
			}
			from, more = next, next != nil
			return nil
		})
		if err != nil {
			return Stats{}, err
		}
	}
	dbs := s.db.Stats()
	st.PageSize, st.FreePages = s.db.Info().PageSize, dbs.FreePageN+dbs.PendingPageN
	if fi, err := os.Stat(s.cfg.Path); err == nil {
		st.FileBytes = fi.Size()
	}
	return st, nil
}

// countConversation adds the conversation in bucket name to st.
func (s *Store) countConversation(tx *bolt.Tx, name []byte, st *Stats) {
	st.Conversations++
	conv, err := core.ParseConversationKey(string(name))
	if err != nil {
		return
	}
	for _, m := range s.allMessages(tx, conv) {
		st.Messages++
		st.Tokens += int64(m.Tokens)
		if m.Role == core.RoleAssistant {
			st.Routes[string(m.Route)]++
		}
	}
}

// WriteStats writes Stats as one JSON object, the admin API's answer.
func (s *Store) WriteStats(ctx context.Context, w io.Writer) error {
	st, err := s.Stats(ctx)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(w).Encode(st); err != nil {
		return fmt.Errorf("store: stats: %w", err)
	}
	return nil
}
