package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestGroupCommitIsolatesAFailingWrite(t *testing.T) {
	s := openTest(t, testConfig(t))
	if err := s.db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("g")); return err }); err != nil {
		t.Fatal(err)
	}
	bad := errors.New("refused")
	const writers = 64
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			errs[i] = s.group.do(func(tx *bolt.Tx) error {
				switch i % 16 {
				case 3:
					return bad
				case 7:
					panic("a bug")
				}
				return tx.Bucket([]byte("g")).Put([]byte(fmt.Sprint(i)), []byte("v"))
			})
		})
	}
	wg.Wait()
	stored := 0
	_ = s.db.View(func(tx *bolt.Tx) error {
		stored = tx.Bucket([]byte("g")).Stats().KeyN
		return nil
	})
	for i, err := range errs {
		switch i % 16 {
		case 3:
			if !errors.Is(err, bad) {
				t.Errorf("write %d: %v, want its own error", i, err)
			}
		case 7:
			if err == nil {
				t.Errorf("write %d panicked and succeeded", i)
			}
		default:
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		}
	}
	if want := writers - 2*writers/16; stored != want {
		t.Errorf("%d keys stored, want %d", stored, want)
	}
}
