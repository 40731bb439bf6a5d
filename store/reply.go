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

// KeepAnswer saves turn's answer, and whether it was sent, on the pending
// record of turn.Envelope; it does nothing when the envelope is not pending.
func (s *Store) KeepAnswer(ctx context.Context, turn core.Turn, sent bool) error {
	kept := &record.Kept{User: turn.User, Reply: turn.Reply, Followups: turn.Followups, Sent: sent}
	return s.updatePending(ctx, "keep_answer", turn.Envelope, func(p *record.Pending) { p.Answer = kept })
}

// KeptAnswer returns the answer kept on env's pending record; false when env
// is not pending or has none.
func (s *Store) KeptAnswer(ctx context.Context, env core.Envelope) (core.KeptAnswer, bool, error) {
	p, ok, err := s.pendingRecord(ctx, "kept_answer", env)
	if err != nil || !ok || p.Answer == nil {
		return core.KeptAnswer{}, false, err
	}
	turn := core.Turn{Envelope: p.Env, User: p.Answer.User, Followups: p.Answer.Followups, Reply: p.Answer.Reply}
	return core.KeptAnswer{Turn: turn, Sent: p.Answer.Sent}, true, nil
}

// SaveReplyRef replaces the reply's platform ids on env's pending record; it
// does nothing when env is not pending. Ids are at most 1,024 bytes, and a
// ref holds at most 64 messages.
func (s *Store) SaveReplyRef(ctx context.Context, env core.Envelope, ref core.ReplyRef) error {
	if err := storage.CheckRef(ref); err != nil {
		return fmt.Errorf("store: save reply ref: %w", err)
	}
	return s.updatePending(ctx, "reply_ref", env, func(p *record.Pending) { p.Ref = ref })
}

// ReplyRef returns the reply's platform ids saved on env's pending record;
// false when env is not pending or none were saved.
func (s *Store) ReplyRef(ctx context.Context, env core.Envelope) (core.ReplyRef, bool, error) {
	p, ok, err := s.pendingRecord(ctx, "reply_ref", env)
	if err != nil || !ok || (p.Ref.Card == "" && len(p.Ref.Messages) == 0) {
		return core.ReplyRef{}, false, err
	}
	return p.Ref, true, nil
}

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

// pendingRecord reads env's pending record; false when env is not pending.
func (s *Store) pendingRecord(ctx context.Context, op string, env core.Envelope) (record.Pending, bool, error) {
	if err := storage.CheckEnvelope(env); err != nil {
		return record.Pending{}, false, fmt.Errorf("store: %s: %w", op, err)
	}
	key := storage.PendingKey(env)
	var p record.Pending
	var ok bool
	err := s.view(ctx, op, func(tx *bolt.Tx) error {
		v := bucket(tx, bucketPending).Get(key)
		if v == nil {
			return nil
		}
		var err error
		p, err = record.DecodePending(v)
		ok = err == nil
		return err
	})
	return p, ok, err
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
