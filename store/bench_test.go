package store

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"imbot/store/record"
)

// withTuning overrides the measured bbolt defaults, for tuning benchmarks.
func withTuning(t tuning) Option { return func(o *options) { o.tuning = t } }

// runTurns drives Accept + Complete of distinct envelopes over 1,000
// conversations from parallelism×GOMAXPROCS goroutines and reports turns/s.
func runTurns(b *testing.B, parallelism int, opts ...Option) {
	runTurnsOn(b, openTest(b, testConfig(b), opts...), parallelism)
}

func runTurnsOn(b *testing.B, s *Store, parallelism int) {
	ctx := context.Background()
	var next atomic.Int64
	at := time.Now()
	b.SetParallelism(parallelism)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := int(next.Add(1))
			env := envelope(fmt.Sprint("bench-", n%1000), n)
			ok, err := s.Accept(ctx, env)
			if err != nil || !ok {
				b.Errorf("Accept = %v, %v", ok, err)
				return
			}
			if err := s.Complete(ctx, turnFor(env, at)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "turns/s")
}

// BenchmarkAcceptComplete measures durable turns per second with the
// shipped settings: fsync on, 128 concurrent turns on 2 cores.
func BenchmarkAcceptComplete(b *testing.B) {
	runTurns(b, 64)
}

// BenchmarkAcceptCompleteTuning compares the bbolt knobs the store sets.
func BenchmarkAcceptCompleteTuning(b *testing.B) {
	shipped := tuning{maxBatchSize: defaultMaxBatchSize, freelist: bolt.FreelistMapType, noFreelistSync: true}
	variants := []struct {
		name   string
		modify func(*tuning)
	}{
		{"shipped", func(*tuning) {}},
		{"group,size=100", func(t *tuning) { t.maxBatchSize = 100 }},
		{"timer,delay=1ms,size=100", func(t *tuning) { t.timerBatch, t.maxBatchDelay, t.maxBatchSize = true, time.Millisecond, 100 }},
		{"timer,delay=500us,size=1000", func(t *tuning) {
			t.timerBatch, t.maxBatchDelay, t.maxBatchSize = true, 500*time.Microsecond, 1000
		}},
		{"timer,delay=2ms,size=100", func(t *tuning) { t.timerBatch, t.maxBatchDelay, t.maxBatchSize = true, 2*time.Millisecond, 100 }},
		{"bbolt-defaults", func(t *tuning) {
			*t = tuning{timerBatch: true, maxBatchDelay: 10 * time.Millisecond, maxBatchSize: 1000, // bbolt's own defaults
				freelist: bolt.FreelistArrayType}
		}},
	}
	for _, par := range []int{8, 64} {
		for _, v := range variants {
			t := shipped
			v.modify(&t)
			b.Run(fmt.Sprintf("%s/goroutines=%dxP", v.name, par), func(b *testing.B) {
				runTurns(b, par, withTuning(t))
			})
		}
	}
}

// BenchmarkAcceptCompleteFragmented compares the freelist settings on files
// with many free pages: "sweep" deletes every other one of 2,000
// conversations of 200 messages; "large" deletes 300 MB of cached vectors.
func BenchmarkAcceptCompleteFragmented(b *testing.B) {
	shipped := tuning{maxBatchSize: defaultMaxBatchSize, freelist: bolt.FreelistMapType, noFreelistSync: true}
	variants := []struct {
		name   string
		modify func(*tuning)
	}{
		{"shipped", func(*tuning) {}},
		{"freelist=array", func(t *tuning) { t.freelist = bolt.FreelistArrayType }},
		{"freelistsync", func(t *tuning) { t.noFreelistSync = false }},
		{"freelist=array+sync", func(t *tuning) { t.freelist, t.noFreelistSync = bolt.FreelistArrayType, false }},
	}
	for _, file := range []struct {
		name string
		fill func(*testing.B, *Store)
	}{{"sweep", fragment}, {"large", freeLarge}} {
		for _, v := range variants {
			t := shipped
			v.modify(&t)
			b.Run(file.name+"/"+v.name, func(b *testing.B) {
				s := openTest(b, testConfig(b), withTuning(t))
				file.fill(b, s)
				// A write releases the deleted pages; a read refreshes the stats.
				_ = s.db.Update(func(*bolt.Tx) error { return nil })
				_ = s.db.View(func(*bolt.Tx) error { return nil })
				free := s.db.Stats().FreePageN
				runTurnsOn(b, s, 64)
				b.ReportMetric(float64(free), "free-pages")
			})
		}
	}
}

// freeLarge writes 300 MB of 8 KB vectors and deletes them again.
func freeLarge(b *testing.B, s *Store) {
	const vectors, per = 37_500, 1000
	rec := record.EncodeVector(make([]float32, 2048), time.Now())
	for start := 0; start < vectors; start += per {
		err := s.db.Update(func(tx *bolt.Tx) error {
			for i := start; i < start+per; i++ {
				if err := bucket(tx, bucketVector).Put(fmt.Append(nil, "v", i), rec); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte(bucketVector)); err != nil {
			return err
		}
		_, err := tx.CreateBucket([]byte(bucketVector))
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
}

// fragment fills s with conversations and deletes every other one.
func fragment(b *testing.B, s *Store) {
	const convs, msgs = 2000, 200
	at := time.Now()
	for start := 0; start < convs; start += 100 {
		err := s.db.Update(func(tx *bolt.Tx) error {
			for i := start; i < start+100; i++ {
				if err := seedConversation(tx, fmt.Sprint("old-", i), msgs, at); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		for i := 0; i < convs; i += 2 {
			if err := bucket(tx, bucketConv).DeleteBucket(fmt.Append(nil, "old-", i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRecent measures loading the 20 newest messages of a conversation
// holding 1,000.
func BenchmarkRecent(b *testing.B) {
	s := openTest(b, testConfig(b))
	ctx := context.Background()
	env := envelope("recent", 0)
	err := s.db.Update(func(tx *bolt.Tx) error { return seedConversation(tx, env.Conversation().String(), 1000, time.Now()) })
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		msgs, err := s.Recent(ctx, env.Conversation(), 20)
		if err != nil || len(msgs) != 20 {
			b.Fatalf("Recent = %d messages, %v", len(msgs), err)
		}
	}
}
