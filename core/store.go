package core

import (
	"context"
	"errors"
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
	// Followups are the messages coalesced into the turn after Envelope,
	// in order; History stores them between User and Reply and clears
	// their pending records with Envelope's.
	Followups []Followup
	Reply     Message
	// Arm is the experiment arm the turn ran in, "" for none.
	Arm string
}

// Followup is one message a turn answered besides its first.
type Followup struct {
	Envelope Envelope
	User     Message
}

// Inbox durably remembers which messages were accepted and which of them are
// still waiting for an answer. Implementations are safe for concurrent use.
type Inbox interface {
	// Accept records env as accepted and pending unless one of its
	// DedupKeys is marked and unexpired (marks last the store's dedup TTL)
	// or env is still pending, however old; it reports false for such a
	// duplicate. Of concurrent Accepts of one message, even from several
	// processes sharing a store, exactly one reports true. When it returns
	// true the marks and the pending record are durable.
	Accept(ctx context.Context, env Envelope) (bool, error)
	// Pending returns the accepted envelopes whose turn has not completed, in
	// the order they were accepted.
	Pending(ctx context.Context) ([]Envelope, error)
	// Drop forgets a pending envelope without a history record (a refused
	// or unanswerable message); its dedup marks stay, and its saved reply
	// messages join the ReplyIndex. Dropping what is not pending is not an
	// error.
	Drop(ctx context.Context, env Envelope) error
}

// History stores conversations. Implementations are safe for concurrent use.
type History interface {
	// Recent returns up to limit newest messages of conv, oldest first;
	// none when limit is not positive.
	Recent(ctx context.Context, conv ConversationKey, limit int) ([]Message, error)
	// Complete appends the turn's messages (the user's, its follow-ups', the
	// reply) to its conversation after every earlier one, files its turn
	// record, and clears the pending records of the envelope and its
	// follow-ups, in one durable write: all of it or none. In a cluster it
	// records a turn only while its pending records remain, none owned by
	// another replica: when another replica took the turn over or already
	// recorded it, Complete writes nothing and returns an error matching
	// ErrTurnTakenOver, so that the history holds the turn once however
	// many replicas answered it.
	Complete(ctx context.Context, turn Turn) error
	// Reset forgets the history of conv (the /reset command); resetting an
	// unknown conversation is not an error.
	Reset(ctx context.Context, conv ConversationKey) error
}

// ErrTurnTakenOver is what History.Complete and AnswerKeeper.KeepAnswer
// return, having written nothing, when another replica of a cluster took
// the turn over (a pause of this one outlasted its lease) or already
// recorded it: that replica records it.
var ErrTurnTakenOver = errors.New("turn taken over by another replica")

// Cursors stores small per-adapter positions such as a Telegram update
// offset. Implementations are safe for concurrent use.
type Cursors interface {
	// Cursor returns the value saved under name, or "" when none was saved.
	Cursor(ctx context.Context, name string) (string, error)
	// SetCursor durably saves value under name.
	SetCursor(ctx context.Context, name, value string) error
}

// KeptAnswer is a turn's answer kept on its pending record, so that a replay
// finishes the turn without asking the model again.
type KeptAnswer struct {
	Turn Turn
	// Sent reports that the reply was handed to the platform: a replay
	// records the turn without sending it again. When false a replay sends
	// the kept reply (once) and then records the turn.
	Sent bool
}

// AnswerKeeper is implemented by an Inbox that can keep a turn's answer on
// its pending record. The dispatcher finds it by type assertion. Safe for
// concurrent use.
type AnswerKeeper interface {
	// KeepAnswer saves turn's answer and whether it was sent on the pending
	// record of turn.Envelope; it does nothing when the envelope is not
	// pending. In a cluster, when the envelope is no longer pending or
	// another replica owns its turn, it writes nothing and returns an error
	// matching ErrTurnTakenOver.
	KeepAnswer(ctx context.Context, turn Turn, sent bool) error
	// KeptAnswer returns the answer kept for a pending envelope; false when
	// none was kept.
	KeptAnswer(ctx context.Context, env Envelope) (KeptAnswer, bool, error)
}

// ReplyRef identifies, on its platform, the reply the bot created for one
// turn, so that a replayed turn continues the same reply.
type ReplyRef struct {
	// Card is the id of an updatable reply (a Feishu card id); "" when none.
	Card string
	// Messages are the platform ids of the bot's reply messages, in order.
	Messages []MessageID
}

// ReplyRefs is implemented by an Inbox that keeps a ReplyRef on a pending
// turn's durable record. Adapters get it by type assertion on the inbox (or
// from main). Safe for concurrent use.
type ReplyRefs interface {
	// SaveReplyRef replaces the ReplyRef of a pending envelope; it does
	// nothing when the envelope is not pending. When the turn completes (or
	// is dropped) the ref's messages are remembered as the bot's (see
	// ReplyIndex).
	SaveReplyRef(ctx context.Context, env Envelope, ref ReplyRef) error
	// ReplyRef returns the ReplyRef saved for a pending envelope; false when
	// none was saved.
	ReplyRef(ctx context.Context, env Envelope) (ReplyRef, bool, error)
}

// ReplyIndex remembers, for a bounded time, which messages of a chat the bot
// sent, so an adapter can tell whether a message replies to the bot without
// asking the platform. Safe for concurrent use.
type ReplyIndex interface {
	// RememberBotMessages records ids as the bot's messages in chat.
	RememberBotMessages(ctx context.Context, platform Platform, chat ChatID, ids ...MessageID) error
	// BotMessage reports whether id is a remembered bot message of chat;
	// false once it expired (after the store's bot-message TTL).
	BotMessage(ctx context.Context, platform Platform, chat ChatID, id MessageID) (bool, error)
}

// Erased counts what erasing one user's data deleted.
type Erased struct {
	// Conversations deleted whole: the user's own (a direct chat, or a
	// group conversation kept per user).
	Conversations int
	// Messages deleted from conversations shared with others: the user's
	// questions and the replies to them.
	Messages   int
	Unanswered int
	// Usage is the daily token counters deleted.
	Usage int
	// Pending is the accepted messages not answered yet.
	Pending int
	// Turns is the turn records (feedback and experiments) deleted.
	Turns int
	// States is the conversation states deleted.
	States int
}

// VectorCache keeps embedding vectors by key (the FAQ tier's cache; it
// satisfies core/faq.VectorCache). Safe for concurrent use.
type VectorCache interface {
	// Vector returns the vector cached under key; false when none is. A
	// hit counts as a use, so a vector in use is not swept.
	Vector(ctx context.Context, key string) ([]float32, bool, error)
	// PutVector caches v under key, used now, replacing any earlier one.
	PutVector(ctx context.Context, key string, v []float32) error
}

// UserEraser erases what a store keeps about one user. Safe for concurrent
// use.
type UserEraser interface {
	// ForgetUser deletes, in one durable write, user's own conversations
	// (kept per user, a direct chat whose id is the user's, or listed in
	// their chat list) and that list, their questions and the replies to
	// them in shared conversations, their unanswered questions, usage
	// counters, pending messages, turn records and the states of the
	// conversations deleted whole; it counts what it deleted.
	ForgetUser(ctx context.Context, platform Platform, user UserID) (Erased, error)
}

// Store is the whole durable state of the daemon, whatever the engine
// (embedded bbolt or PostgreSQL shared by replicas): every backend passes
// the same conformance suite (store/storetest). All methods are safe for
// concurrent use; a write is durable when it returns without error (a turn
// accepted is never lost), and a failed write leaves no partial change.
// Expiring records (dedup marks, the reply index) stop counting at their
// expiry even before a sweep removes them. Methods fail with an error, never
// a panic, when the engine is unreachable; Check then fails too.
type Store interface {
	Inbox
	SeenInbox
	AnswerKeeper
	ReplyRefs
	ReplyIndex
	History
	Cursors
	StateStore
	FeedbackStore
	UnansweredLog
	UsageMeter
	ChatList
	VectorCache
	UserEraser
	// Check reports whether the store can serve reads and take writes
	// (for /readyz).
	Check(ctx context.Context) error
	// Close releases the engine; it is called once, after every other
	// call has returned.
	Close() error
}
