package store

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"imbot/core"
	"imbot/store/record"
	"imbot/store/storage"
)

// chatListKey is the key of one conversation of a user.
func chatListKey(platform core.Platform, user core.UserID, chat core.ChatID) ([]byte, error) {
	if err := storage.CheckChat(platform, user, chat); err != nil {
		return nil, err
	}
	return append(chatListPrefix(platform, user), chat...), nil
}

// chatListPrefix is the key prefix of one user's entries in bucketChatList.
func chatListPrefix(platform core.Platform, user core.UserID) []byte {
	return []byte(string(platform) + "\x00" + string(user) + "\x00")
}

// ChatSummaries returns user's conversations on platform, the most recently
// updated first. An unreadable entry is logged and skipped.
func (s *Store) ChatSummaries(ctx context.Context, platform core.Platform, user core.UserID) ([]core.ChatSummary, error) {
	prefix := chatListPrefix(platform, user)
	var out []core.ChatSummary
	err := s.view(ctx, "chat summaries", func(tx *bolt.Tx) error {
		c := bucket(tx, bucketChatList).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			sum, err := record.DecodeChatSummary(v)
			if err != nil {
				s.log.Warn("skipping unreadable chat summary", "key", fmt.Sprintf("%q", k), "err", err)
				continue
			}
			sum.Chat = core.ChatID(k[len(prefix):])
			out = append(out, sum)
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b core.ChatSummary) int { return b.Updated.Compare(a.Updated) })
	return out, err
}

// DeleteChat removes chat from user's list; its history is not touched.
func (s *Store) DeleteChat(ctx context.Context, platform core.Platform, user core.UserID, chat core.ChatID) error {
	k, err := chatListKey(platform, user, chat)
	if err != nil {
		return fmt.Errorf("store: delete chat: %w", err)
	}
	return s.update(ctx, "delete chat", func(tx *bolt.Tx) error {
		return bucket(tx, bucketChatList).Delete(k)
	})
}

// rewriteChat is storage.RewriteChat on the chatlist bucket.
func (s *Store) rewriteChat(ctx context.Context, op string, platform core.Platform, user core.UserID, chat core.ChatID,
	change func(rec []byte) ([]byte, error)) error {
	k, err := chatListKey(platform, user, chat)
	if err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	return s.update(ctx, op, func(tx *bolt.Tx) error {
		b := bucket(tx, bucketChatList)
		rec, err := change(b.Get(k))
		if err != nil {
			return err
		}
		return b.Put(k, rec)
	})
}
