package store

import (
	"context"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"

	"imbot/core"
)

// Backup writes a consistent copy of the whole file to w while the store
// stays in use, and returns the bytes written. The copy opens with Open. ctx
// is checked on every write to w; a failed write to w is returned wrapped.
func (s *Store) Backup(ctx context.Context, w io.Writer) (int64, error) {
	var n int64
	cw := &ctxWriter{ctx: ctx, w: w}
	err := s.view(ctx, "backup", func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(cw)
		return err
	})
	if err != nil && cw.err != nil {
		// bbolt flattens some writer errors to text; keep the chain.
		return n, fmt.Errorf("store: backup: write: %w", cw.err)
	}
	return n, err
}

// ctxWriter fails writes once ctx has ended and remembers the first failure.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
	err error
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if c.err == nil {
		c.err = c.ctx.Err()
	}
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.err = err
	return n, err
}

// Export calls fn with every conversation and its messages, oldest first, in
// key order. Each conversation is read in its own short transaction and fn
// runs outside any transaction, so fn may use the store. An error from fn
// stops the export and is returned as is.
func (s *Store) Export(ctx context.Context, fn func(conv core.ConversationKey, msgs []core.Message) error) error {
	var from []byte
	for {
		var (
			conv core.ConversationKey
			msgs []core.Message
			next []byte
		)
		err := s.view(ctx, "export", func(tx *bolt.Tx) error {
			names, after := nestedBuckets(bucket(tx, bucketConv), from, 1)
			if len(names) == 0 {
				return nil
			}
			var perr error
			if conv, perr = core.ParseConversationKey(string(names[0])); perr != nil {
				return fmt.Errorf("store: export: %w", perr)
			}
			next, msgs = after, s.allMessages(tx, conv)
			return nil
		})
		if err != nil {
			return err
		}
		if conv == (core.ConversationKey{}) {
			return nil
		}
		if err := fn(conv, msgs); err != nil {
			return err
		}
		if next == nil {
			return nil
		}
		from = next
	}
}

// allMessages returns conv's messages, oldest first, skipping unreadable ones.
func (s *Store) allMessages(tx *bolt.Tx, conv core.ConversationKey) []core.Message {
	b := messagesOf(tx, conv)
	if b == nil {
		return nil
	}
	var msgs []core.Message
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if m, ok := s.readMessage(conv, k, v); ok {
			msgs = append(msgs, m)
		}
	}
	return msgs
}
