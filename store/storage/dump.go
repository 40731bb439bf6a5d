package storage

import "context"

// Kind names a record kind in a dump, the unit `imbot migrate-store` moves
// from one backend to another.
type Kind uint8

// Record kinds, with what Item.Key and Item.Value hold for each. Values are
// encoded by store/record.
const (
	KindConversation Kind = iota + 1 // Key: conversation key; Value: conversation meta
	KindMessage                      // Key: conversation key; Seq: its position; Value: message
	KindDedup                        // Key: dedup key; Value: expiry
	KindPending                      // Key: pending key (first dedup key); Value: pending record
	KindCursor                       // Key: name; Value: cursor
	KindUnanswered                   // Value: unanswered question
	KindUsage                        // Key: "YYYY-MM-DD" 0x00 counter key; Value: count
	KindVector                       // Key: cache key; Value: vector
	KindBotMessage                   // Key: platform 0x00 chat 0x00 message id; Value: expiry
	KindChat                         // Key: platform 0x00 user 0x00 chat; Value: chat summary
	KindState                        // Key: conversation key; Value: conversation state
	KindTurn                         // Key: TurnKey; Value: turn record
)

// Item is one record of a dump.
type Item struct {
	Kind  Kind
	Key   []byte
	Seq   uint64
	Value []byte
}

// Dumper lists every record of a store.
type Dumper interface {
	// Dump calls fn with every record: a conversation before its messages,
	// messages in order, pending records in acceptance order. fn runs
	// outside any transaction; its error stops the dump and is returned as
	// is.
	Dump(ctx context.Context, fn func(Item) error) error
}

// Loader files records a Dumper listed.
type Loader interface {
	// Load files items, idempotently: loading the same items again changes
	// nothing (history is not duplicated, counters are not added twice).
	Load(ctx context.Context, items []Item) error
}

// copyBatch is how many items Copy hands Load at once.
const copyBatch = 500

// Copied counts the records Copy moved, by kind.
type Copied map[Kind]int

// Copy moves every record from from to to, in batches; it is as idempotent
// as to's Load.
func Copy(ctx context.Context, from Dumper, to Loader) (Copied, error) {
	n := Copied{}
	batch := make([]Item, 0, copyBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := to.Load(ctx, batch); err != nil {
			return err
		}
		for _, it := range batch {
			n[it.Kind]++
		}
		batch = batch[:0]
		return nil
	}
	err := from.Dump(ctx, func(it Item) error {
		batch = append(batch, it)
		if len(batch) == copyBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return n, err
}

// String names the kind, for reports.
func (k Kind) String() string {
	names := [...]string{"", "conversations", "messages", "dedup marks", "pending turns", "cursors", "unanswered",
		"usage counters", "vectors", "bot messages", "chat list entries", "conversation states", "turn records"}
	if int(k) < len(names) && k != 0 {
		return names[k]
	}
	return "unknown"
}
