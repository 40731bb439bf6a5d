package store

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

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
	k, err := chatListKey(platform, user, chat)
	if err != nil {
		return fmt.Errorf("store: delete chat: %w", err)
	}
	return s.update(ctx, "delete chat", func(tx *bolt.Tx) error {
		return bucket(tx, bucketChatList).Delete(k)
	})
}

// editChat reads user's entry for chat (zero when missing), lets edit
// change it and writes it back.
func (s *Store) editChat(ctx context.Context, op string, platform core.Platform, user core.UserID, chat core.ChatID,
	edit func(sum *core.ChatSummary, found bool)) error {
	k, err := chatListKey(platform, user, chat)
	if err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	return s.update(ctx, op, func(tx *bolt.Tx) error {
		b := bucket(tx, bucketChatList)
		sum, found := core.ChatSummary{}, false
		if v := b.Get(k); v != nil {
			var derr error
			if sum, derr = record.DecodeChatSummary(v); derr != nil {
				s.log.Warn("replacing unreadable chat summary", "key", fmt.Sprintf("%q", k), "err", derr)
			}
			found = derr == nil
		}
		edit(&sum, found)
		if err := storage.CheckTitle(sum.Title); err != nil {
			return err
		}
		return b.Put(k, record.EncodeChatSummary(sum))
	})
}
