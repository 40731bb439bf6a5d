//go:build unix

package faq

import (
	"context"
	"runtime"
	"syscall"
	"testing"
)

// cpuNanos returns the CPU time the process has used, so that benchmarks on
// a shared machine can report CPU per operation beside wall time.
func cpuNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkSearch searches a 15,000-question index (CLINC150 train) with the
// test and out-of-scope queries in turn. Target: ≤ 150 µs per query.
func BenchmarkSearch(b *testing.B) {
	c := clincData(b)
	ix, err := Build(context.Background(), c.KB(0), DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	qs := Samples(c.Test, c.OOSTest)
	ctx := context.Background()
	b.ReportAllocs()
	cpu := cpuNanos()
	i := 0
	for b.Loop() {
		ix.Search(ctx, qs[i%len(qs)].Q)
		i++
	}
	b.ReportMetric(float64(cpuNanos()-cpu)/float64(b.N), "cpu-ns/op")
}

// BenchmarkBuild indexes CLINC150 train (15,000 questions, 150 entries).
// Target: ≤ 250 ms.
func BenchmarkBuild(b *testing.B) {
	kb := clincData(b).KB(0)
	b.ReportAllocs()
	cpu := cpuNanos()
	for b.Loop() {
		if _, err := Build(context.Background(), kb, DefaultConfig()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuNanos()-cpu)/float64(b.N), "cpu-ns/op")
}

// BenchmarkIndexMemory reports the heap an index of CLINC150 train keeps
// alive (the knowledge base itself excluded). Target: ≤ 16 MiB.
func BenchmarkIndexMemory(b *testing.B) {
	kb := clincData(b).KB(0)
	var ix *Index
	var before, after runtime.MemStats
	for b.Loop() {
		ix = nil
		runtime.GC()
		runtime.ReadMemStats(&before)
		var err error
		if ix, err = Build(context.Background(), kb, DefaultConfig()); err != nil {
			b.Fatal(err)
		}
		ix.Search(context.Background(), "warm the scratch pool")
		runtime.GC()
		runtime.ReadMemStats(&after)
	}
	runtime.KeepAlive(ix)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB")
}
