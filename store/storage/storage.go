// Package storage holds what every store backend shares beyond core's
// contract (core.Store): the operations commands and the daemon run on a
// store (Operator), their result types, the retention policy, the size
// limits and validation every backend applies to what it files, so that
// bbolt and PostgreSQL accept and refuse the same input, and the logic both
// backends run alike on top of their own reads and writes (kept answers and
// reply refs, chat list edits, state and vote records, the vector cache's
// rules, the sweeper loop) and the store's metrics. It imports only core
// and store/record; both backends import it.
package storage

import (
	"context"
	"errors"
	"io"
	"time"

	"imbot/core"
)

// Retention is the part of the [store] section every backend applies.
type Retention struct {
	// DedupTTL is how long a message's dedup marks are kept.
	DedupTTL time.Duration
	// BotMessageTTL is how long the ids of the bot's replies are kept.
	BotMessageTTL time.Duration
	// Retention removes conversations idle for longer, and unanswered
	// questions, usage counters and turn records older; 0 keeps them.
	Retention time.Duration
	// MaxMessages is how many newest messages a sweep keeps per
	// conversation.
	MaxMessages int
	// VectorRetention removes cached embeddings unused for longer, except
	// those of the knowledge base in use; 0 keeps them.
	VectorRetention time.Duration
}

// ErrBackupUnsupported matches (errors.Is) the error of Backup on a backend
// whose backups are taken with the database's own tools (pg_dump).
var ErrBackupUnsupported = errors.New("storage: this backend is backed up with its database's tools")

// Operator is what commands and the daemon's housekeeping do with a store
// besides serving turns. Its methods are safe for concurrent use with each
// other and with core.Store's.
type Operator interface {
	// Unanswered returns the queued questions at or after since, oldest
	// first.
	Unanswered(ctx context.Context, since time.Time) ([]core.UnansweredQuestion, error)
	// Export calls fn with every conversation and its messages, oldest
	// first, conversations in key order; fn runs outside any transaction
	// and may use the store; an error from fn stops the export and is
	// returned as is.
	Export(ctx context.Context, fn func(conv core.ConversationKey, msgs []core.Message) error) error
	// Stats counts what the store holds.
	Stats(ctx context.Context) (Stats, error)
	// WriteStats writes Stats as one JSON object.
	WriteStats(ctx context.Context, w io.Writer) error
	// Backup writes a consistent copy of the store to w and returns the
	// bytes written; ErrBackupUnsupported when the backend has none of its
	// own.
	Backup(ctx context.Context, w io.Writer) (int64, error)
	// Sweep applies retention as of now and counts what it removed; what
	// it removed before a failure stays removed and is counted.
	Sweep(ctx context.Context, now time.Time) (SweepStats, error)
	// RunSweeper sweeps at once and then every interval until ctx ends; it
	// blocks and logs failures.
	RunSweeper(ctx context.Context, every time.Duration)
	// KeepVectors tells the sweep which cached vectors to keep however
	// long ago they were used; keep must be safe for concurrent use.
	KeepVectors(keep func(key string) bool)
}

// Backend is a whole store: core's contract and the operations.
type Backend interface {
	core.Store
	Operator
}

// Stats describes what a store holds.
type Stats struct {
	// Backend names the engine: "bbolt" or "postgres".
	Backend string `json:"backend,omitempty"`
	// Conversations and Messages count the stored history.
	Conversations int `json:"conversations"`
	Messages      int `json:"messages"`
	// Routes counts the assistant messages by what produced them (faq,
	// model, degraded, command).
	Routes map[string]int `json:"routes"`
	// Tokens sums the token counts of every stored message.
	Tokens int64 `json:"tokens"`
	// Pending counts the turns accepted and not yet answered.
	Pending int `json:"pending"`
	// Unanswered counts the questions queued for the knowledge base's owner.
	Unanswered int `json:"unanswered"`
	// Vectors counts the cached embeddings.
	Vectors int `json:"vectors"`
	// FileBytes is the space the store takes: the bbolt file (which never
	// shrinks, see imbot compact) or the PostgreSQL database.
	FileBytes int64 `json:"file_bytes"`
	// PageSize is the bbolt file's page size; FreePages counts its pages
	// free for reuse, which compaction gives back. Both are 0 for
	// PostgreSQL.
	PageSize  int `json:"page_size"`
	FreePages int `json:"free_pages"`
}

// SweepStats counts what one sweep removed.
type SweepStats struct {
	DedupMarks    int // expired dedup marks
	Conversations int // conversations idle for longer than the retention
	Messages      int // old messages trimmed from conversations over max_messages
	Unanswered    int // unanswered questions older than the retention
	Usage         int // usage counters of days older than the retention
	BotMessages   int // expired bot message ids
	Vectors       int // cached embeddings unused for vector_retention, not of the knowledge base in use
	Turns         int // turn records older than the retention
}

// Total is the number of records removed.
func (st SweepStats) Total() int {
	return st.DedupMarks + st.Conversations + st.Messages + st.Unanswered + st.Usage + st.BotMessages + st.Vectors + st.Turns
}

// Add adds d's counts to st.
func (st *SweepStats) Add(d SweepStats) {
	st.DedupMarks += d.DedupMarks
	st.Conversations += d.Conversations
	st.Messages += d.Messages
	st.Unanswered += d.Unanswered
	st.Usage += d.Usage
	st.BotMessages += d.BotMessages
	st.Vectors += d.Vectors
	st.Turns += d.Turns
}
