package core

import (
	"context"
	"time"
)

// Role is the author of a history message.
type Role string

// Roles.
const (
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
)

// Message is one stored history message.
type Message struct {
	Role     Role
	Text     string
	At       time.Time
	Route    Route  // assistant messages: what produced it
	Provider string // assistant messages: provider and model, when a model answered
	Model    string
	// Tokens is the token count of Text: reported by the provider when known,
	// otherwise estimated.
	Tokens    int
	LatencyMS int64 // assistant messages: time from turn start to final reply
}

// Turn is one completed exchange: the user's message and the reply.
type Turn struct {
	Envelope Envelope
	User     Message
	Reply    Message
}

// Inbox durably remembers which messages were accepted and which of them are
// still waiting for an answer. Implementations are safe for concurrent use.
type Inbox interface {
	// Accept records env as accepted and pending unless one of its
	// DedupKeys is already known; it reports false for a duplicate. When it
	// returns true the record is durable.
	Accept(ctx context.Context, env Envelope) (bool, error)
	// Pending returns the accepted envelopes whose turn has not completed, in
	// the order they were accepted.
	Pending(ctx context.Context) ([]Envelope, error)
	// Drop forgets a pending envelope without a history record (a refused
	// or unanswerable message); its dedup marks stay.
	Drop(ctx context.Context, env Envelope) error
}

// History stores conversations. Implementations are safe for concurrent use.
type History interface {
	// Recent returns up to limit newest messages of conv, oldest first.
	Recent(ctx context.Context, conv ConversationKey, limit int) ([]Message, error)
	// Complete appends the turn's two messages to its conversation and
	// clears the envelope's pending mark, in one durable write.
	Complete(ctx context.Context, turn Turn) error
	// Reset forgets the history of conv (the /reset command).
	Reset(ctx context.Context, conv ConversationKey) error
}

// Cursors stores small per-adapter positions such as a Telegram update
// offset. Implementations are safe for concurrent use.
type Cursors interface {
	// Cursor returns the value saved under name, or "" when none was saved.
	Cursor(ctx context.Context, name string) (string, error)
	// SetCursor durably saves value under name.
	SetCursor(ctx context.Context, name, value string) error
}
