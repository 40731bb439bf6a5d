package core

import (
	"fmt"
	"strings"
	"time"

	"imbot/core/catalog"
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
	// Scope is how group chats are divided into conversations; the
	// dispatcher sets it from the platform's GroupPolicy.
	Scope Scope
	// Received is when the message arrived; the dispatcher fills it in when
	// the adapter left it zero.
	Received time.Time
	// LangHint is the language the platform reports for the sender
	// (Telegram's language_code, a browser's Accept-Language), or empty.
	LangHint string
	// Lang is the language every text of the turn is written in. The
	// dispatcher picks it once, when the message arrives (the message's own
	// language, else the sender's last one, else LangHint, else the
	// configured default), and again for a turn replayed after a restart.
	Lang catalog.Lang
	// Transcript, when not nil, holds the earlier messages of a stateless
	// conversation (a request to the OpenAI-compatible API carries its whole
	// context): the router builds the prompt from it and reads no history.
	// Such envelopes never pass the dispatcher or the store. A pointer keeps
	// Envelope comparable.
	Transcript *Transcript
	// Burst is the number of messages whose texts Text joins, one per line,
	// when the dispatcher coalesced several into one question; 0 for a
	// single message. It is never stored.
	Burst int
	// Context is text an interceptor added for the model to read with the
	// question (a context-mode answer); empty for most messages. It is
	// never stored.
	Context string
}

// Transcript is the whole earlier conversation of a stateless question,
// oldest first.
type Transcript struct {
	Messages []Message
}

// ConversationKey names one conversation: platform, chat, thread and, for
// per-user scope in groups, the user. It is comparable, stable across
// restarts, and String is the key the store files history under.
type ConversationKey struct {
	Platform Platform
	Chat     ChatID
	Thread   ThreadID // empty outside threads
	User     UserID   // set only for per-user scope in groups
}

// Conversation returns the key of the conversation e belongs to under its
// Scope (which the dispatcher sets from the platform's group policy).
func (e Envelope) Conversation() ConversationKey {
	k := ConversationKey{Platform: e.Platform, Chat: e.ChatID, Thread: e.ThreadID}
	if e.ChatKind != ChatGroup {
		return k
	}
	switch e.Scope {
	case ScopeUser:
		k.User = e.UserID
	case ScopeThread:
		if k.Thread == "" {
			k.Thread = ThreadID(e.MessageID)
		}
	}
	return k
}

// Key separators of the encoding of a conversation key.
const (
	keySep    = "\x00"
	keyThread = "t:"
	keyUser   = "u:"
)

// String encodes k as platform, chat, "t:"+thread (when set) and "u:"+user
// (when set), joined by NUL bytes. Keys written by earlier releases have
// the same bytes.
func (k ConversationKey) String() string {
	var b strings.Builder
	b.Grow(len(k.Platform) + len(k.Chat) + len(k.Thread) + len(k.User) + 7)
	b.WriteString(string(k.Platform))
	b.WriteString(keySep)
	b.WriteString(string(k.Chat))
	if k.Thread != "" {
		b.WriteString(keySep + keyThread)
		b.WriteString(string(k.Thread))
	}
	if k.User != "" {
		b.WriteString(keySep + keyUser)
		b.WriteString(string(k.User))
	}
	return b.String()
}

// Label is k for people: its parts joined by "/", as in
// "telegram/-100123/t:42".
func (k ConversationKey) Label() string { return strings.ReplaceAll(k.String(), keySep, "/") }

// ParseConversationKey reverses String.
func ParseConversationKey(s string) (ConversationKey, error) {
	parts := strings.Split(s, keySep)
	if len(parts) < 2 || len(parts) > 4 || parts[0] == "" {
		return ConversationKey{}, fmt.Errorf("conversation key %q: want platform, chat, thread and user", s)
	}
	k := ConversationKey{Platform: Platform(parts[0]), Chat: ChatID(parts[1])}
	for _, p := range parts[2:] {
		switch {
		case strings.HasPrefix(p, keyThread) && k.Thread == "" && k.User == "":
			k.Thread = ThreadID(p[len(keyThread):])
		case strings.HasPrefix(p, keyUser) && k.User == "":
			k.User = UserID(p[len(keyUser):])
		default:
			return ConversationKey{}, fmt.Errorf("conversation key %q: bad part %q", s, p)
		}
	}
	return k, nil
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
