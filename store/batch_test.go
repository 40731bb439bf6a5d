package store

import (
	"context"
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestAcceptRerunInBatchStaysCorrect makes a failing write share a batch
// with an Accept. When the Accept ran first, bbolt rolls the batch back and
// runs the Accept again: it must still report the envelope fresh, once,
// with one pending record.
func TestAcceptRerunInBatchStaysCorrect(t *testing.T) {
	s := openTest(t, testConfig(t))
	ctx := context.Background()
	errFail := errors.New("fail on purpose")
	reran := false
	for n := 0; n < 200 && !reran; n++ {
		env := envelope("rerun", n)
		s.db.MaxBatchDelay, s.db.MaxBatchSize = 10*time.Second, 2 // commit when both writes are in
		key := []byte(env.DedupKeys()[0])
		failing := func() error {
			return s.db.Batch(func(tx *bolt.Tx) error {
				reran = tx.Bucket([]byte(bucketPending)).Get(key) != nil // the Accept ran before it
				return errFail
			})
		}
		var ok bool
		var err, ferr error
		done := make(chan struct{})
		if n%2 == 0 { // vary which call reaches the batch first
			go func() { defer close(done); ok, err = s.Accept(ctx, env) }()
			ferr = failing()
		} else {
			go func() { defer close(done); ferr = failing() }()
			ok, err = s.Accept(ctx, env)
		}
		<-done
		s.db.MaxBatchDelay, s.db.MaxBatchSize = time.Millisecond, 100
		if err != nil || !ok {
			t.Fatalf("Accept %d = %v, %v; want a fresh envelope", n, ok, err)
		}
		if !errors.Is(ferr, errFail) {
			t.Fatalf("failing write returned %v", ferr)
		}
		if ok, err := s.Accept(ctx, env); ok || err != nil {
			t.Fatalf("second Accept %d = %v, %v; want a duplicate", n, ok, err)
		}
		pending, err := s.Pending(ctx)
		if err != nil || len(pending) != n+1 || pending[n].MessageID != env.MessageID {
			t.Fatalf("Pending after %d = %d envelopes, %v; want one per Accept, in order", n, len(pending), err)
		}
	}
	if !reran {
		t.Skip("no Accept ran before the failing write in one batch")
	}
}
