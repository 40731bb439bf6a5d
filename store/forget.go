package store

import (
	"bytes"
	"context"
	"errors"
	"strings"

	bolt "go.etcd.io/bbolt"

	"imbot/core"
	"imbot/store/record"
)

// ForgetUser deletes everything the store keeps about user of platform, in
// one transaction: conversations that are theirs (a conversation kept per
// user, a direct chat whose id is the user's, or one in their conversation
// list) and the list itself, their questions and the
// replies to them in shared conversations, their unanswered questions,
// usage counters and messages still waiting for an answer. Records written
// before schema 5 do not name their user; in shared conversations those
// stay until retention removes them.
func (s *Store) ForgetUser(ctx context.Context, platform core.Platform, user core.UserID) (core.Erased, error) {
	if platform == "" || user == "" {
		return core.Erased{}, errors.New("store: forget user: want a platform and a user id")
	}
	var out core.Erased
	err := s.update(ctx, "forget", func(tx *bolt.Tx) error {
		out = core.Erased{} // Batch may run fn again
		listed, err := forgetChatList(tx, platform, user)
		if err != nil {
			return err
		}
		gone, err := forgetConversations(tx, platform, user, listed, &out)
		if err != nil {
			return err
		}
		steps := []func(*bolt.Tx) (int, error){
			func(tx *bolt.Tx) (int, error) { return forgetUnanswered(tx, platform, user, gone) },
			func(tx *bolt.Tx) (int, error) { return forgetUsage(tx, string(platform)+":"+string(user)) },
			func(tx *bolt.Tx) (int, error) { return forgetPending(tx, platform, user) },
			func(tx *bolt.Tx) (int, error) { return forgetTurns(tx, platform, user, gone) },
			func(tx *bolt.Tx) (int, error) { return forgetStates(tx, gone) },
		}
		counts := []*int{&out.Unanswered, &out.Usage, &out.Pending, &out.Turns, &out.States}
		for i, step := range steps {
			if *counts[i], err = step(tx); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// forgetConversations deletes user's conversations of platform and their
// messages in shared ones; it returns the conversations deleted whole.
func forgetConversations(tx *bolt.Tx, platform core.Platform, user core.UserID, listed map[core.ChatID]bool, out *core.Erased) (map[core.ConversationKey]bool, error) {
	convs := bucket(tx, bucketConv)
	prefix := []byte(string(platform) + "\x00")
	var names [][]byte
	c := convs.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if v == nil {
			names = append(names, bytes.Clone(k))
		}
	}
	gone := map[core.ConversationKey]bool{}
	for _, name := range names {
		key, err := core.ParseConversationKey(string(name))
		if err != nil {
			continue // not a conversation this release wrote
		}
		whole := key.User == user || key.Chat == core.ChatID(user) || listed[key.Chat]
		if !whole {
			n, empty, err := forgetMessages(convs.Bucket(name), user)
			if err != nil {
				return nil, err
			}
			out.Messages += n
			whole = empty && n > 0
			if !whole {
				continue
			}
			out.Messages -= n
		}
		if err := convs.DeleteBucket(name); err != nil {
			return nil, err
		}
		gone[key] = true
		out.Conversations++
	}
	return gone, nil
}

// forgetChatList deletes user's conversation list and returns the chats it
// listed.
func forgetChatList(tx *bolt.Tx, platform core.Platform, user core.UserID) (map[core.ChatID]bool, error) {
	prefix := chatListPrefix(platform, user)
	listed := map[core.ChatID]bool{}
	_, err := deleteWhere(bucket(tx, bucketChatList), func(k, _ []byte) bool {
		if !bytes.HasPrefix(k, prefix) {
			return false
		}
		listed[core.ChatID(k[len(prefix):])] = true
		return true
	})
	return listed, err
}

// forgetMessages deletes user's messages from one conversation and keeps
// its meta's count right; it reports how many, and whether none is left.
func forgetMessages(cb *bolt.Bucket, user core.UserID) (int, bool, error) {
	msgs := cb.Bucket([]byte(keyConvMsgs))
	if msgs == nil {
		return 0, true, nil
	}
	var keys [][]byte
	left := 0
	err := msgs.ForEach(func(k, v []byte) error {
		if _, u, err := record.DecodeMessageUser(v); err == nil && u == user {
			keys = append(keys, bytes.Clone(k))
		} else {
			left++
		}
		return nil
	})
	if err != nil || len(keys) == 0 {
		return 0, left == 0, err
	}
	for _, k := range keys {
		if err := msgs.Delete(k); err != nil {
			return 0, false, err
		}
	}
	meta := readConvMeta(cb)
	meta.Count = uint64(left)
	return len(keys), left == 0, cb.Put([]byte(keyConvMeta), record.EncodeConvMeta(meta))
}

// forgetUnanswered deletes user's unanswered questions, and those of the
// conversations deleted whole.
func forgetUnanswered(tx *bolt.Tx, platform core.Platform, user core.UserID, gone map[core.ConversationKey]bool) (int, error) {
	return deleteWhere(bucket(tx, bucketUnanswered), func(_, v []byte) bool {
		u, err := record.DecodeUnanswered(v)
		return err == nil && u.Platform == platform && (u.User == user || gone[u.Conversation])
	})
}

// forgetUsage deletes every daily counter of key ("platform:user").
func forgetUsage(tx *bolt.Tx, key string) (int, error) {
	return deleteWhere(bucket(tx, bucketUsage), func(k, _ []byte) bool {
		return strings.HasSuffix(string(k), "\x00"+key)
	})
}

// forgetPending deletes user's messages waiting for an answer.
func forgetPending(tx *bolt.Tx, platform core.Platform, user core.UserID) (int, error) {
	return deleteWhere(bucket(tx, bucketPending), func(_, v []byte) bool {
		p, err := record.DecodePending(v)
		return err == nil && p.Env.Platform == platform && p.Env.UserID == user
	})
}

// forgetTurns deletes the records of user's turns and of every turn of
// the conversations deleted whole.
func forgetTurns(tx *bolt.Tx, platform core.Platform, user core.UserID, gone map[core.ConversationKey]bool) (int, error) {
	return deleteWhere(bucket(tx, bucketTurns), func(_, v []byte) bool {
		r, err := record.DecodeTurnRecord(v)
		return err == nil && r.Platform == platform && (r.User == user || gone[r.Conversation])
	})
}

// forgetStates deletes the conversation states of the conversations
// deleted whole.
func forgetStates(tx *bolt.Tx, gone map[core.ConversationKey]bool) (int, error) {
	return deleteWhere(bucket(tx, bucketState), func(k, _ []byte) bool {
		key, err := core.ParseConversationKey(string(k))
		return err == nil && gone[key]
	})
}

// deleteWhere deletes the keys of b whose entries match, and counts them.
func deleteWhere(b *bolt.Bucket, match func(k, v []byte) bool) (int, error) {
	var keys [][]byte
	err := b.ForEach(func(k, v []byte) error {
		if v != nil && match(k, v) {
			keys = append(keys, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}
