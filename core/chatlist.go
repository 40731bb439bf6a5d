package core

import (
	"context"
	"time"
)

// ChatSummary describes one of a user's conversations in a list of them
// (the web chat's conversation list): which chat, its title and when it was
// started and last used.
type ChatSummary struct {
	Chat    ChatID
	Title   string
	Created time.Time
	Updated time.Time
}

// ChatList keeps each web user's list of conversations (sessions) with their
// titles. Methods are safe for concurrent use; every change is durable when
// it returns.
type ChatList interface {
	// ChatSummaries returns user's conversations, most recently updated
	// first.
	ChatSummaries(ctx context.Context, platform Platform, user UserID) ([]ChatSummary, error)
	// TouchChat lists chat with title when it is new, else moves its update
	// time forward to at (never back).
	TouchChat(ctx context.Context, platform Platform, user UserID, chat ChatID, title string, at time.Time) error
	// RenameChat sets chat's title, listing it when it is not listed.
	RenameChat(ctx context.Context, platform Platform, user UserID, chat ChatID, title string) error
	// DeleteChat removes chat from user's list; its history is not touched.
	DeleteChat(ctx context.Context, platform Platform, user UserID, chat ChatID) error
}
