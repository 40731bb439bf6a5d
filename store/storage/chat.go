package storage

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"imbot/core"
	"imbot/store/record"
)

// RewriteChat runs change on the encoded chat list entry of user's chat in
// one write transaction: rec is nil when the list has no entry, and what
// change returns is written; an error from change writes nothing and is
// returned. op names the write in errors and metrics.
type RewriteChat func(ctx context.Context, op string, platform core.Platform, user core.UserID, chat core.ChatID,
	change func(rec []byte) ([]byte, error)) error

// ChatList implements TouchChat and RenameChat of core.Store on a
// backend's chat list entries, for every backend alike; a backend embeds
// it. Its methods are safe for concurrent use when rewrite is.
type ChatList struct {
	rewrite RewriteChat
	now     func() time.Time
	log     *slog.Logger
}

// NewChatList returns ChatList over a backend's chat list entries, reading
// the time from now and logging unreadable entries on log.
func NewChatList(rewrite RewriteChat, now func() time.Time, log *slog.Logger) ChatList {
	return ChatList{rewrite: rewrite, now: now, log: log}
}

// TouchChat records that user used chat at at: it adds the conversation
// with title when it is not listed yet, and otherwise only moves its update
// time forward.
func (c ChatList) TouchChat(ctx context.Context, platform core.Platform, user core.UserID, chat core.ChatID, title string, at time.Time) error {
	return c.edit(ctx, "touch chat", platform, user, chat, func(sum *core.ChatSummary, found bool) {
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
func (c ChatList) RenameChat(ctx context.Context, platform core.Platform, user core.UserID, chat core.ChatID, title string) error {
	now := c.now()
	return c.edit(ctx, "rename chat", platform, user, chat, func(sum *core.ChatSummary, found bool) {
		sum.Title = title
		if !found {
			sum.Created, sum.Updated = now, now
		}
	})
}

// edit lets change edit user's entry for chat (zero and not found when
// missing or unreadable, which is logged and replaced) and writes it back
// when its title is within MaxTitleLen.
func (c ChatList) edit(ctx context.Context, op string, platform core.Platform, user core.UserID, chat core.ChatID,
	change func(sum *core.ChatSummary, found bool)) error {
	return c.rewrite(ctx, op, platform, user, chat, func(rec []byte) ([]byte, error) {
		sum, found := core.ChatSummary{}, false
		if rec != nil {
			var err error
			if sum, err = record.DecodeChatSummary(rec); err != nil {
				c.log.Warn("replacing unreadable chat summary", "chat", fmt.Sprintf("%q", chat), "err", err)
			}
			found = err == nil
		}
		change(&sum, found)
		if err := CheckTitle(sum.Title); err != nil {
			return nil, err
		}
		return record.EncodeChatSummary(sum), nil
	})
}
