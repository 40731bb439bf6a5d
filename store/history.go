package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"imbot/core"
	"imbot/store/record"
	"imbot/store/storage"
)

// appendFillPercent packs pages of append-only, sequentially keyed buckets.
const appendFillPercent = 0.9

// Recent returns up to limit newest messages of conv, oldest first; none
// when limit is not positive or conv has no history. An unreadable message
// is logged and skipped.
func (s *Store) Recent(ctx context.Context, conv core.ConversationKey, limit int) ([]core.Message, error) {
	if err := storage.CheckKey("conversation key", conv.String()); err != nil {
		return nil, fmt.Errorf("store: recent: %w", err)
	}
	if limit <= 0 {
		return nil, nil
	}
	var msgs []core.Message
	err := s.view(ctx, "recent", func(tx *bolt.Tx) error {
		b := messagesOf(tx, conv)
		if b == nil {
			return nil
		}
		// The bucket's sequence counts every message ever appended.
		msgs = make([]core.Message, 0, min(uint64(limit), b.Sequence()))
		c := b.Cursor()
		for k, v := c.Last(); k != nil && len(msgs) < limit; k, v = c.Prev() {
			if m, ok := s.readMessage(conv, k, v); ok {
				msgs = append(msgs, m)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Reverse(msgs)
	return msgs, nil
}

// readMessage decodes one stored message, logging an unreadable one.
func (s *Store) readMessage(conv core.ConversationKey, k, v []byte) (core.Message, bool) {
	m, err := record.DecodeMessage(v)
	if err != nil {
		s.log.Warn("skipping unreadable message", "conversation", fmt.Sprintf("%q", conv),
			"key", fmt.Sprintf("%x", k), "err", err)
		return core.Message{}, false
	}
	return m, true
}

// messagesOf returns conv's message bucket, nil when it has none.
func messagesOf(tx *bolt.Tx, conv core.ConversationKey) *bolt.Bucket {
	cb := bucket(tx, bucketConv).Bucket([]byte(conv.String()))
	if cb == nil {
		return nil
	}
	return cb.Bucket([]byte(keyConvMsgs))
}

// Complete appends the turn's user message, its follow-ups and the reply to
// its conversation, remembers the reply messages saved with SaveReplyRef as
// the bot's, files the turn's record (for feedback and experiments), and
// deletes the pending records of the envelope and its follow-ups, in one
// durable transaction.
func (s *Store) Complete(ctx context.Context, turn core.Turn) error {
	env := turn.Envelope
	if err := storage.CheckEnvelope(env); err != nil {
		return fmt.Errorf("store: complete: %w", err)
	}
	conv := []byte(env.Conversation().String())
	pkeys := [][]byte{storage.PendingKey(env)}
	recs := [][]byte{record.EncodeMessage(turn.User, env.UserID)}
	for _, f := range turn.Followups {
		if err := storage.CheckEnvelope(f.Envelope); err != nil {
			return fmt.Errorf("store: complete: follow-up: %w", err)
		}
		pkeys = append(pkeys, storage.PendingKey(f.Envelope))
		recs = append(recs, record.EncodeMessage(f.User, f.Envelope.UserID))
	}
	recs = append(recs, record.EncodeMessage(turn.Reply, env.UserID))
	now := s.now()
	return s.update(ctx, "complete", func(tx *bolt.Tx) error {
		if err := appendMessages(tx, conv, now, recs); err != nil {
			return err
		}
		if err := putTurnRecord(tx, turn); err != nil {
			return err
		}
		for _, k := range pkeys {
			if err := s.rememberRef(tx, k, now); err != nil {
				return err
			}
			if err := bucket(tx, bucketPending).Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// appendMessages appends encoded messages to conversation conv and records
// the activity at now in its meta.
func appendMessages(tx *bolt.Tx, conv []byte, now time.Time, recs [][]byte) error {
	cb, err := bucket(tx, bucketConv).CreateBucketIfNotExists(conv)
	if err != nil {
		return err
	}
	msgs, err := cb.CreateBucketIfNotExists([]byte(keyConvMsgs))
	if err != nil {
		return err
	}
	msgs.FillPercent = appendFillPercent
	for _, rec := range recs {
		seq, err := msgs.NextSequence()
		if err != nil {
			return err
		}
		if err := msgs.Put(binary.BigEndian.AppendUint64(nil, seq), rec); err != nil {
			return err
		}
	}
	meta := readConvMeta(cb)
	if meta.Created.IsZero() {
		meta.Created = now
	}
	meta.Last = now
	meta.Count += uint64(len(recs))
	return cb.Put([]byte(keyConvMeta), record.EncodeConvMeta(meta))
}

// readConvMeta returns a conversation's meta. A missing or unreadable one is
// rebuilt from the messages, counting them.
func readConvMeta(cb *bolt.Bucket) record.ConvMeta {
	if m, err := record.DecodeConvMeta(cb.Get([]byte(keyConvMeta))); err == nil {
		return m
	}
	var m record.ConvMeta
	if msgs := cb.Bucket([]byte(keyConvMsgs)); msgs != nil {
		m.Count = uint64(msgs.Stats().KeyN)
	}
	return m
}

// Reset deletes conv's history; resetting an unknown conversation is not an
// error.
func (s *Store) Reset(ctx context.Context, conv core.ConversationKey) error {
	if err := storage.CheckKey("conversation key", conv.String()); err != nil {
		return fmt.Errorf("store: reset: %w", err)
	}
	return s.update(ctx, "reset", func(tx *bolt.Tx) error {
		err := bucket(tx, bucketConv).DeleteBucket([]byte(conv.String()))
		if errors.Is(err, bolterrors.ErrBucketNotFound) {
			return nil
		}
		return err
	})
}
