package store

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"imbot/store/record"
)

// Top-level buckets.
const (
	bucketMeta       = "meta"       // "schema" → 4-byte big-endian version
	bucketConv       = "conv"       // conversation key → bucket{"meta": record.ConvMeta, "msgs": bucket{seq → message}}
	bucketDedup      = "dedup"      // dedup key → expiry
	bucketPending    = "pending"    // first dedup key → record.Pending
	bucketCursor     = "cursor"     // name → cursor value
	bucketUnanswered = "unanswered" // unix nanos ‖ seq (8+8 bytes, big-endian) → Unanswered
	bucketUsage      = "usage"      // "YYYY-MM-DD" 0x00 key → count
	bucketVector     = "vector"     // key → []float32 and its last use (version 2 records, schema 4)
	bucketBotMsg     = "botmsg"     // platform 0x00 chat 0x00 message id → expiry (schema 2)
	bucketChatList   = "chatlist"   // platform 0x00 user 0x00 chat → chat summary (schema 3)
	bucketState      = "state"      // conversation key → conversation state (schema 6)
	bucketTurns      = "turns"      // uvarint len ‖ conversation key ‖ message id → turn record (schema 6)
)

// Keys inside the meta bucket and inside one conversation's bucket.
const (
	keySchema   = "schema"
	keyConvMeta = "meta"
	keyConvMsgs = "msgs"
)

// bucket returns the top-level bucket name, which migrate guarantees exists.
func bucket(tx *bolt.Tx, name string) *bolt.Bucket { return tx.Bucket([]byte(name)) }

// schemaVersion is the layout this release reads and writes. A file with no
// version is empty (version 0). Every change to the records or buckets is a
// step here, so that an older release refuses a file it cannot fully read.
//
//	1: the buckets meta … vector, every record version 1.
//	2: bucket botmsg; pending records version 2 (a kept answer and the
//	   reply's platform ids). Version 1 pending records stay readable.
//	3: bucket chatlist (each web user's conversations with their titles).
//	4: vector records version 2 (when the vector was last used, for the
//	   sweep). Version 1 vector records stay readable.
//	5: message and unanswered records version 2 (the user who asked).
//	   Version 1 records stay readable; their user is unknown.
//	6: pending records version 3 (a kept answer's coalesced follow-up
//	   messages; older pending records stay readable), bucket state
//	   (conversation states set by interceptors) and bucket turns (a record
//	   of each answered turn, with its vote).
const schemaVersion = 6

// migrateFrom upgrades a file from schema v to v+1 inside tx.
func migrateFrom(tx *bolt.Tx, v uint32) error {
	switch v {
	case 0:
		return createBuckets(tx, bucketMeta, bucketConv, bucketDedup, bucketPending,
			bucketCursor, bucketUnanswered, bucketUsage, bucketVector)
	case 1:
		return createBuckets(tx, bucketBotMsg)
	case 2:
		return createBuckets(tx, bucketChatList)
	case 3:
		return nil // new vector records only
	case 4:
		return nil // new message and unanswered records only
	case 5:
		return createBuckets(tx, bucketState, bucketTurns)
	}
	return fmt.Errorf("no migration from schema %d", v)
}

func createBuckets(tx *bolt.Tx, names ...string) error {
	for _, name := range names {
		if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return nil
}

// readSchema returns the file's schema version, 0 for an empty file.
func readSchema(tx *bolt.Tx) (uint32, error) {
	b := bucket(tx, bucketMeta)
	if b == nil {
		return 0, nil
	}
	v := b.Get([]byte(keySchema))
	if v == nil {
		return 0, nil
	}
	if len(v) != 4 {
		return 0, fmt.Errorf("%w: schema version is %d bytes", record.ErrCorrupt, len(v))
	}
	return binary.BigEndian.Uint32(v), nil
}

// migrate refuses a newer schema and upgrades an older one in one write.
func (s *Store) migrate() error {
	var from uint32
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		from, err = readSchema(tx)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: read schema of %s: %w", s.cfg.Path, err)
	}
	if from > schemaVersion {
		return fmt.Errorf("%w: %s has schema %d, this release knows up to %d (use a newer imbot or restore a backup)",
			ErrSchemaTooNew, s.cfg.Path, from, schemaVersion)
	}
	if from == schemaVersion {
		return nil
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		for v := from; v < schemaVersion; v++ {
			if err := migrateFrom(tx, v); err != nil {
				return fmt.Errorf("migrate schema %d to %d: %w", v, v+1, err)
			}
		}
		return bucket(tx, bucketMeta).Put([]byte(keySchema), binary.BigEndian.AppendUint32(nil, schemaVersion))
	})
	if err != nil {
		return fmt.Errorf("store: %s: %w", s.cfg.Path, err)
	}
	if from > 0 {
		s.log.Info("store schema migrated", "from", from, "to", schemaVersion)
	}
	return nil
}
