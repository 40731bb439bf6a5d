package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"slices"

	bolt "go.etcd.io/bbolt"

	"imbot/store/record"
	"imbot/store/storage"
)

var _ storage.Dumper = (*Store)(nil)

// dumpChunk bounds the records one read transaction of Dump collects.
const dumpChunk = 1000

// Dump calls fn with every record of the file (see storage.Dumper). Each
// bucket is read in short transactions of at most dumpChunk records.
func (s *Store) Dump(ctx context.Context, fn func(storage.Item) error) error {
	if err := s.dumpConversations(ctx, fn); err != nil {
		return err
	}
	pending, err := s.sortedPending(ctx)
	if err != nil {
		return err
	}
	for _, it := range pending {
		if err := fn(it); err != nil {
			return err
		}
	}
	flat := []struct {
		bucket string
		kind   storage.Kind
	}{
		{bucketDedup, storage.KindDedup}, {bucketCursor, storage.KindCursor}, {bucketUnanswered, storage.KindUnanswered},
		{bucketUsage, storage.KindUsage}, {bucketVector, storage.KindVector}, {bucketBotMsg, storage.KindBotMessage},
		{bucketChatList, storage.KindChat}, {bucketState, storage.KindState}, {bucketTurns, storage.KindTurn},
	}
	for _, f := range flat {
		if err := s.dumpBucket(ctx, f.bucket, f.kind, fn); err != nil {
			return err
		}
	}
	return nil
}

// dumpBucket lists the records of a flat bucket as kind.
func (s *Store) dumpBucket(ctx context.Context, name string, kind storage.Kind, fn func(storage.Item) error) error {
	var from []byte
	for {
		var items []storage.Item
		err := s.view(ctx, "dump", func(tx *bolt.Tx) error {
			c := bucket(tx, name).Cursor()
			k, v := seek(c, from)
			for ; k != nil && len(items) < dumpChunk; k, v = c.Next() {
				if v != nil {
					items = append(items, storage.Item{Kind: kind, Key: bytes.Clone(k), Value: bytes.Clone(v)})
				}
			}
			from = bytes.Clone(k)
			return nil
		})
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
		if from == nil {
			return nil
		}
	}
}

// sortedPending lists the pending records in acceptance order; an
// unreadable one comes last.
func (s *Store) sortedPending(ctx context.Context) ([]storage.Item, error) {
	var items []storage.Item
	seqs := map[string]uint64{}
	err := s.view(ctx, "dump", func(tx *bolt.Tx) error {
		return bucket(tx, bucketPending).ForEach(func(k, v []byte) error {
			seq := ^uint64(0)
			if p, err := record.DecodePending(v); err == nil {
				seq = p.Seq
			}
			seqs[string(k)] = seq
			items = append(items, storage.Item{Kind: storage.KindPending, Key: bytes.Clone(k), Value: bytes.Clone(v)})
			return nil
		})
	})
	slices.SortStableFunc(items, func(a, b storage.Item) int { return cmp.Compare(seqs[string(a.Key)], seqs[string(b.Key)]) })
	return items, err
}

// dumpConversations lists each conversation's meta, then its messages.
func (s *Store) dumpConversations(ctx context.Context, fn func(storage.Item) error) error {
	var from []byte
	for {
		var items []storage.Item
		var next []byte
		err := s.view(ctx, "dump", func(tx *bolt.Tx) error {
			names, after := nestedBuckets(bucket(tx, bucketConv), from, 1)
			if len(names) == 0 {
				return nil
			}
			items, next = conversationItems(bucket(tx, bucketConv).Bucket(names[0]), names[0]), after
			return nil
		})
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
		if next == nil {
			return nil
		}
		from = next
	}
}

// conversationItems lists one conversation's meta and messages.
func conversationItems(cb *bolt.Bucket, name []byte) []storage.Item {
	key := bytes.Clone(name)
	items := []storage.Item{{Kind: storage.KindConversation, Key: key, Value: record.EncodeConvMeta(readConvMeta(cb))}}
	if msgs := cb.Bucket([]byte(keyConvMsgs)); msgs != nil {
		_ = msgs.ForEach(func(k, v []byte) error {
			if len(k) == 8 {
				items = append(items, storage.Item{Kind: storage.KindMessage, Key: key,
					Seq: binary.BigEndian.Uint64(k), Value: bytes.Clone(v)})
			}
			return nil
		})
	}
	return items
}
