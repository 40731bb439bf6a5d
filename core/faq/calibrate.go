package faq

import (
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
)

// maxNullSample bounds how many example questions are scored with their own
// entry hidden to calibrate the confidence; larger knowledge bases use an
// evenly spaced sample, which keeps the build time bounded.
const maxNullSample = 1000

// minTailScale is the smallest spread of the calibration tail: a query must
// beat the null distribution's maximum by a visible margin to approach 1.
const minTailScale = 0.05

// null is the sorted "null" distribution of the confidence statistic: what
// the knowledge base's own example questions score when the entry they belong
// to is hidden. A query that beats most of it looks like it has an answer.
type null struct {
	stats []float32 // ascending
	tail  float32   // scale of the exponential tail above the maximum
}

// newNull sorts stats and derives the tail scale from the top decile.
func newNull(stats []float32) null {
	slices.Sort(stats)
	n := null{stats: stats, tail: minTailScale}
	if len(stats) > 0 {
		top := stats[len(stats)-1] - stats[len(stats)*9/10]
		n.tail = max(top, minTailScale)
	}
	return n
}

// confidence maps a statistic to the share of the null distribution below
// it, in [0,1]: piecewise linear between the order statistics and an
// exponential approach to 1 above the largest. It is monotone in x, so
// thresholds on it are thresholds on the statistic, yet scale-free across
// knowledge bases.
func (n null) confidence(x float32) float64 {
	if x <= 0 {
		return 0
	}
	N := len(n.stats)
	if N == 0 {
		return 1 - 0.5*math.Exp(-float64(x/n.tail))
	}
	k := sort.Search(N, func(i int) bool { return n.stats[i] > x })
	half := 0.5 / float64(N)
	switch k {
	case N:
		return 1 - half*math.Exp(-float64((x-n.stats[N-1])/n.tail))
	case 0:
		return half * float64(x/n.stats[0])
	}
	lo, hi := n.stats[k-1], n.stats[k]
	frac := float64((x - lo) / (hi - lo))
	return (float64(k) - 0.5 + frac) / float64(N)
}

// nullSample picks up to maxNullSample documents that are example questions
// (not answers), evenly spaced.
func nullSample(questions []int32) []int32 {
	if len(questions) <= maxNullSample {
		return questions
	}
	out := make([]int32, maxNullSample)
	for i := range out {
		out[i] = questions[i*len(questions)/maxNullSample]
	}
	return out
}

// parallel runs fn(i) for i in [0, n) on up to GOMAXPROCS goroutines, each
// with its own scratch, and returns when all are done.
func (ix *Index) parallel(n int, fn func(s *scratch, i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := ix.pool.get()
			defer ix.pool.put(s)
			for i := w; i < n; i += workers {
				fn(s, i)
			}
		}()
	}
	wg.Wait()
}

// calibrate computes the null distribution: each sampled example question is
// ranked with its own entry hidden; with vectors, using the fused score.
func (ix *Index) calibrate(docs []string, sample []int32, fused bool) null {
	stats := make([]float32, len(sample))
	ix.parallel(len(sample), func(s *scratch, i int) {
		d := sample[i]
		var qv []float32
		if fused {
			qv = ix.vec.doc(d)
		}
		stats[i] = ix.rank(s, docs[d], qv, ix.lx.docEntry[d])
	})
	return newNull(stats)
}
