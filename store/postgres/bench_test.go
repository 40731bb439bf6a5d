package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"imbot/store/storetest"
)

// BenchmarkAcceptComplete measures accept+complete pairs per second over
// 1,000 conversations from 16×GOMAXPROCS goroutines, on the throwaway
// server (which runs with fsync off: production numbers depend on the
// database's disk and network).
func BenchmarkAcceptComplete(b *testing.B) {
	s := openTest(b)
	ctx := context.Background()
	var next atomic.Int64
	at := time.Now()
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := int(next.Add(1))
			env := storetest.Envelope(fmt.Sprint("bench-", n%1000), n)
			if ok, err := s.Accept(ctx, env); err != nil || !ok {
				b.Errorf("Accept = %v, %v", ok, err)
				return
			}
			if err := s.Complete(ctx, storetest.TurnFor(env, at)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "turns/s")
}
