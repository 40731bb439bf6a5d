package faq

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
)

// fitLogit fits a logistic regression of y on the rows of x, row i counting
// wt[i] times, by Newton's method (iteratively reweighted least squares)
// with an L2 penalty l2 on every coefficient but the bias.
func fitLogit(x []signals, y []bool, wt []float64, l2 float64) signals {
	var b signals
	for range 50 {
		var g signals
		var h [sigCount][sigCount]float64
		for i, xi := range x {
			p := logistic(dot(b, xi))
			r := p
			if y[i] {
				r = p - 1
			}
			r *= wt[i]
			w := wt[i] * p * (1 - p)
			for j := range xi {
				g[j] += r * xi[j]
				for k := range xi {
					h[j][k] += w * xi[j] * xi[k]
				}
			}
		}
		for j := 1; j < sigCount; j++ {
			g[j] += l2 * b[j]
			h[j][j] += l2
		}
		step := solve(h, g)
		var size float64
		for j := range b {
			b[j] -= step[j]
			size = max(size, math.Abs(step[j]))
		}
		if size < 1e-9 {
			break
		}
	}
	return b
}

// solve returns the solution of a·v = g by Gaussian elimination with partial
// pivoting; a is symmetric positive definite here.
func solve(a [sigCount][sigCount]float64, g signals) signals {
	for c := range sigCount {
		p := c
		for r := c + 1; r < sigCount; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		g[c], g[p] = g[p], g[c]
		for r := c + 1; r < sigCount; r++ {
			f := a[r][c] / a[c][c]
			for k := c; k < sigCount; k++ {
				a[r][k] -= f * a[c][k]
			}
			g[r] -= f * g[c]
		}
	}
	var v signals
	for c := sigCount - 1; c >= 0; c-- {
		s := g[c]
		for k := c + 1; k < sigCount; k++ {
			s -= a[c][k] * v[k]
		}
		v[c] = s / a[c][c]
	}
	return v
}

// fitOOSWeight is how much an out-of-scope training query counts: about as
// much as the in-scope ones together, as in a knowledge base whose users ask
// many questions it does not cover.
const fitOOSWeight = 10

// syntheticKB builds a knowledge base from CLINC150's train split with the
// utterances [off, off+k) of each intent as its example questions; the
// answer is the intent's name, or with long set its last three utterances
// joined, so that answers sharing the questions' words are represented.
func syntheticKB(c CLINC, k, off int, long bool) KB {
	kb := c.KB(0)
	for i, e := range kb.Entries {
		kb.Entries[i].Questions = e.Questions[off : off+k]
		if long {
			kb.Entries[i].Answer = strings.Join(e.Questions[len(e.Questions)-3:], " ")
		}
	}
	return kb
}

// fitQueries are the training queries: each intent's train utterances 90 to
// 96, which no synthetic knowledge base holds, and the out-of-scope train
// utterances.
func fitQueries(c CLINC) []Sample {
	n := map[string]int{}
	var in []Labelled
	for _, l := range c.Train {
		if i := n[l.Intent]; i >= 90 && i < 97 {
			in = append(in, l)
		}
		n[l.Intent]++
	}
	return Samples(in, c.OOSTrain)
}

// rankings searches every sample lexically and returns its signals and
// whether its best entry is right.
func rankings(ix *Index, set []Sample) ([]signals, []bool) {
	x, y := make([]signals, len(set)), make([]bool, len(set))
	ix.parallel(len(set), func(s *scratch, i int) {
		ix.rank(s, set[i].Q, nil)
		x[i] = ix.signals(s)
		y[i] = len(s.top) > 0 && ix.entries[s.top[0].entry].ID == set[i].Want
	})
	return x, y
}

// reliability returns, per tenth of confidence, the outcomes and the share
// of them whose best match is right.
func reliability(outs []Outcome) string {
	var n, k [10]int
	for _, o := range outs {
		b := min(int(o.Confidence*10), 9)
		n[b]++
		if o.Want != "" && o.Got == o.Want {
			k[b]++
		}
	}
	var sb strings.Builder
	for b := range n {
		if n[b] > 0 {
			fmt.Fprintf(&sb, " %.1f–: %d/%d = %.2f;", float64(b)/10, k[b], n[b], float64(k[b])/float64(n[b]))
		}
	}
	return sb.String()
}

// TestConfidenceModel refits the confidence model from CLINC150 (see
// confidenceModel) and fails when the embedded coefficients differ from the
// refit; run it with -v to print the refit as Go and the model's reliability
// on CLINC150 test.
func TestConfidenceModel(t *testing.T) {
	c := clincData(t)
	ctx := context.Background()
	queries := fitQueries(c)
	var x []signals
	var y []bool
	var wt []float64
	for _, kb := range []struct {
		k, off int
		long   bool
	}{{1, 0, false}, {1, 33, true}, {1, 66, true}, {3, 10, true}, {10, 40, false}, {90, 0, false}} {
		ix, err := Build(ctx, syntheticKB(c, kb.k, kb.off, kb.long), DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		xs, ys := rankings(ix, queries)
		x, y = append(x, xs...), append(y, ys...)
		for _, q := range queries {
			w := 1.0
			if q.Want == "" {
				w = fitOOSWeight
			}
			wt = append(wt, w)
		}
	}
	b := fitLogit(x, y, wt, 1)
	var sb strings.Builder
	names := []string{"sigBias", "sigTop", "sigRatio", "sigCoverWord", "sigCoverChar", "sigCover2", "sigWords",
		"sigRare", "sigPerEntry", "sigNearest", "sigTopK", "sigRatioK", "sigCoverQ"}
	for i, v := range b {
		fmt.Fprintf(&sb, "\t\t%s: %.3f,\n", names[i], v)
	}
	t.Logf("refit on %d rankings:\n%s", len(x), sb.String())
	for i, v := range confidenceModel() {
		if math.Abs(v-b[i]) > 0.002 {
			t.Errorf("coefficient %s: embedded %.3f, refit %.3f", names[i], v, b[i])
		}
	}
	test := Samples(c.Test, c.OOSTest)
	for _, k := range []int{1, 0} {
		ix, err := Build(ctx, c.KB(k), DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("reliability, CLINC150 test, %d per intent:%s", k, reliability(Run(ctx, ix, test)))
	}
}
