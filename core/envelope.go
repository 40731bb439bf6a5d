package core

import (
	"strings"
	"time"
)

// Platform names the chat platform a message came from ("web", "telegram",
// "feishu"). The core never branches on it; it only keys state by it.
type Platform string

// ChatID identifies a chat within a platform. Opaque to the core.
type ChatID string

// ThreadID identifies a thread or topic within a chat. Opaque to the core.
type ThreadID string

// UserID identifies a user within a platform. Opaque to the core.
type UserID string

// MessageID identifies a message within a platform. Opaque to the core.
type MessageID string

// ChatKind tells a one-to-one chat from a group.
type ChatKind uint8

// Chat kinds.
const (
	ChatDirect ChatKind = iota
	ChatGroup
)

// String returns "direct" or "group".
func (k ChatKind) String() string {
	if k == ChatGroup {
		return "group"
	}
	return "direct"
}

// Scope says how a group chat is divided into conversations.
type Scope uint8

// Conversation scopes.
const (
	// ScopeChat makes a whole chat (or thread) one conversation.
	ScopeChat Scope = iota
	// ScopeUser gives every member of a group a conversation of their own.
	ScopeUser
)

// Envelope is one inbound message, normalised by the adapter that received it.
type Envelope struct {
	Platform  Platform
	ChatID    ChatID
	ChatKind  ChatKind
	ThreadID  ThreadID // empty when the platform or chat has no threads
	UserID    UserID
	UserName  string // display name, for logs and prompts; may be empty
	MessageID MessageID
	// EventID is the platform's delivery id when it differs from MessageID
	// (Feishu event_id, Telegram update_id); it is deduplicated as well.
	EventID string
	// Text is the message text with mentions of the bot removed.
	Text string
	// MentionsBot is set when the message @-mentions the bot.
	MentionsBot bool
	// RepliesToBot is set when the message replies to one of the bot's messages.
	RepliesToBot bool
	// Scope is how the adapter divides group chats into conversations.
	Scope Scope
	// Received is when the message arrived; the dispatcher fills it in when
	// the adapter left it zero.
	Received time.Time
}

// ConversationKey names one conversation: platform, chat, thread and, for
// per-user scope in groups, the user. It is stable across restarts and is the
// key the store files history under.
type ConversationKey string

// Conversation returns the key of the conversation e belongs to.
func (e Envelope) Conversation() ConversationKey {
	var b strings.Builder
	b.Grow(len(e.Platform) + len(e.ChatID) + len(e.ThreadID) + len(e.UserID) + 3)
	b.WriteString(string(e.Platform))
	b.WriteByte(0)
	b.WriteString(string(e.ChatID))
	if e.ThreadID != "" {
		b.WriteByte(0)
		b.WriteString("t:")
		b.WriteString(string(e.ThreadID))
	}
	if e.Scope == ScopeUser && e.ChatKind == ChatGroup {
		b.WriteByte(0)
		b.WriteString("u:")
		b.WriteString(string(e.UserID))
	}
	return ConversationKey(b.String())
}

// Sender names e's author across platforms as "platform:user_id", the form
// allow-lists and admin lists use; per-user rate limits and token budgets
// are keyed by it.
func (e Envelope) Sender() string { return string(e.Platform) + ":" + string(e.UserID) }

// DedupKeys returns the keys under which e is remembered to drop redeliveries:
// its message id and, when set, its event id, each prefixed by the platform.
func (e Envelope) DedupKeys() []string {
	keys := []string{string(e.Platform) + "\x00m:" + string(e.ChatID) + "\x00" + string(e.MessageID)}
	if e.EventID != "" {
		keys = append(keys, string(e.Platform)+"\x00e:"+e.EventID)
	}
	return keys
}
