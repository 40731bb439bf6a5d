package store

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"imbot/core"
	"imbot/store/record"
	"imbot/store/storage"
)

// RememberBotMessages records ids as the bot's messages in chat for
// bot_message_ttl; the sweep forgets them after that.
func (s *Store) RememberBotMessages(ctx context.Context, platform core.Platform, chat core.ChatID, ids ...core.MessageID) error {
	keys, err := storage.BotMessageKeys(platform, chat, ids)
	if err != nil {
		return fmt.Errorf("store: remember bot messages: %w", err)
	}
	mark := record.EncodeExpiry(s.now().Add(s.cfg.BotMessageTTL))
	return s.update(ctx, "bot_messages", func(tx *bolt.Tx) error { return putMarks(tx, keys, mark) })
}

// BotMessage reports whether id is a bot message of chat remembered within
// bot_message_ttl.
func (s *Store) BotMessage(ctx context.Context, platform core.Platform, chat core.ChatID, id core.MessageID) (bool, error) {
	key := storage.BotMessageKey(platform, chat, id)
	now := s.now()
	var ok bool
	err := s.view(ctx, "bot_message", func(tx *bolt.Tx) error {
		ok = marked(bucket(tx, bucketBotMsg).Get(key), now)
		return nil
	})
	return ok, err
}

// putMarks writes mark under every key of the botmsg bucket.
func putMarks(tx *bolt.Tx, keys [][]byte, mark []byte) error {
	b := bucket(tx, bucketBotMsg)
	for _, k := range keys {
		if err := b.Put(k, mark); err != nil {
			return err
		}
	}
	return nil
}

// rememberRef remembers, inside tx, the reply messages of the pending
// record under pkey as the bot's, before the record is deleted.
func (s *Store) rememberRef(tx *bolt.Tx, pkey []byte, now time.Time) error {
	v := bucket(tx, bucketPending).Get(pkey)
	if v == nil {
		return nil
	}
	p, err := record.DecodePending(v)
	if err != nil || len(p.Ref.Messages) == 0 {
		return nil // an unreadable record has no ids to keep
	}
	keys := make([][]byte, len(p.Ref.Messages))
	for i, id := range p.Ref.Messages {
		keys[i] = storage.BotMessageKey(p.Env.Platform, p.Env.ChatID, id)
	}
	return putMarks(tx, keys, record.EncodeExpiry(now.Add(s.cfg.BotMessageTTL)))
}

// pendingRecord reads env's pending record; the zero Pending when env is
// not pending.
func (s *Store) pendingRecord(ctx context.Context, op string, env core.Envelope) (record.Pending, error) {
	if err := storage.CheckEnvelope(env); err != nil {
		return record.Pending{}, fmt.Errorf("store: %s: %w", op, err)
	}
	key := storage.PendingKey(env)
	var p record.Pending
	err := s.view(ctx, op, func(tx *bolt.Tx) error {
		v := bucket(tx, bucketPending).Get(key)
		if v == nil {
			return nil
		}
		var err error
		p, err = record.DecodePending(v)
		return err
	})
	if err != nil {
		return record.Pending{}, err
	}
	return p, nil
}

// updatePending rewrites env's pending record with change applied; it does
// nothing when env is not pending or its record is unreadable.
func (s *Store) updatePending(ctx context.Context, op string, env core.Envelope, change func(*record.Pending)) error {
	if err := storage.CheckEnvelope(env); err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	key := storage.PendingKey(env)
	return s.update(ctx, op, func(tx *bolt.Tx) error {
		b := bucket(tx, bucketPending)
		v := b.Get(key)
		if v == nil {
			return nil
		}
		p, err := record.DecodePending(v)
		if err != nil { // Pending skips it too: nothing to add to
			s.log.Warn("pending record unreadable; not updated", "key", fmt.Sprintf("%q", key), "err", err)
			return nil
		}
		change(&p)
		return b.Put(key, record.EncodePending(p))
	})
}
