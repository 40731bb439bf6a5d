package faq

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"imbot/core"
)

// Limits on a labelled set.
const (
	MaxSetLineBytes = 64 << 10
	MaxSetSamples   = 1 << 20
)

// Sample is one labelled query: Want is the id of the entry that answers Q,
// or "" when no entry does (an out-of-scope query).
type Sample struct {
	Q    string `json:"q"`
	Want string `json:"want"`
}

// ReadSet parses a labelled set: one JSON object {"q": …, "want": …} per
// line; blank lines are skipped. Errors name the line.
func ReadSet(r io.Reader) ([]Sample, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxSetLineBytes)
	var out []Sample
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if len(out) == MaxSetSamples {
			return nil, fmt.Errorf("faq: set: more than %d samples", MaxSetSamples)
		}
		var s Sample
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			return nil, fmt.Errorf("faq: set: line %d: %w", line, err)
		}
		if s.Q == "" {
			return nil, fmt.Errorf("faq: set: line %d: empty \"q\"", line)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("faq: set: %w", err)
	}
	return out, nil
}

// Outcome is one sample and what the index made of it.
type Outcome struct {
	Sample
	Got        string // id of the best match, "" when none
	Confidence float64
	Short      bool // the query is too short to be answered (see Result.Short)
}

// Decide returns the tier the outcome gets under t, as Result.Decide does.
func (o Outcome) Decide(t Thresholds) core.Tier {
	return decide(o.Got != "", o.Short, o.Confidence, t)
}

// Run searches every sample in ix, on all CPUs, and returns the outcomes in
// the order of set.
func Run(ctx context.Context, ix *Index, set []Sample) []Outcome {
	out := make([]Outcome, len(set))
	ix.parallel(len(set), func(_ *scratch, i int) {
		r := ix.Search(ctx, set[i].Q)
		out[i] = Outcome{Sample: set[i], Confidence: r.Confidence, Short: r.Short}
		if m, ok := r.Best(); ok {
			out[i].Got = m.ID
		}
	})
	return out
}

// Metrics describe the FAQ tier at one answer threshold.
type Metrics struct {
	Threshold float64
	N         int // samples
	InScope   int // samples with a Want
	Answered  int // samples answered from the FAQ
	Right     int // answered with the wanted entry
	OOSAnswer int // out-of-scope samples answered
	// Top1 is the share of in-scope samples whose best match is right,
	// whatever the confidence.
	Top1 float64
	// Coverage is the share of in-scope samples answered from the FAQ.
	Coverage float64
	// Precision is the share of answers that are right; answers to
	// out-of-scope samples are wrong. It is 1 when nothing is answered.
	Precision float64
	// OOSAccept is the share of out-of-scope samples answered.
	OOSAccept float64
}

// Measure computes the metrics of outcomes at threshold.
func Measure(outs []Outcome, threshold float64) Metrics {
	m := Metrics{Threshold: threshold, N: len(outs)}
	top1 := 0
	for _, o := range outs {
		in := o.Want != ""
		if in {
			m.InScope++
			if o.Got == o.Want {
				top1++
			}
		}
		if o.Decide(Thresholds{Answer: threshold, Business: threshold}) != core.TierAnswer {
			continue
		}
		m.Answered++
		switch {
		case !in:
			m.OOSAnswer++
		case o.Got == o.Want:
			m.Right++
		}
	}
	m.Top1 = ratio(top1, m.InScope, 0)
	m.Coverage = ratio(m.Answered-m.OOSAnswer, m.InScope, 0)
	m.Precision = ratio(m.Right, m.Answered, 1)
	m.OOSAccept = ratio(m.OOSAnswer, m.N-m.InScope, 0)
	return m
}

func ratio(a, b int, empty float64) float64 {
	if b == 0 {
		return empty
	}
	return float64(a) / float64(b)
}

// ErrNoThreshold is returned by Tune when no threshold meets the target.
var ErrNoThreshold = errors.New("faq: no threshold reaches the target precision")

// Bound names the constraint that stopped Tune from choosing a lower
// threshold.
type Bound uint8

const (
	// BoundNone means every threshold met the constraints; the lowest was
	// taken.
	BoundNone Bound = iota
	// BoundPrecision means that just below the choice, the precision bound
	// fell short of the target.
	BoundPrecision
	// BoundOOS means that just below the choice, too many out-of-scope
	// queries were answered.
	BoundOOS
)

// String returns the name used in reports.
func (b Bound) String() string {
	switch b {
	case BoundPrecision:
		return "precision target"
	case BoundOOS:
		return "out-of-scope bound"
	}
	return "none"
}

// Tuning is the threshold Tune chose and why it is not lower.
type Tuning struct {
	// Threshold is the chosen answer threshold.
	Threshold float64
	// Bound is the constraint that failed just below Threshold.
	Bound Bound
}

// Tune chooses the answer threshold on a validation set: the lowest
// confidence at which the precision is at least target with 95% confidence
// (the one-sided Wilson lower bound; out-of-scope answers count as wrong) and,
// when the set has out-of-scope samples, no more than a (1−target) share of
// them is answered (estimated as (answered+1)/(out-of-scope+2), so a handful
// of them cannot look safe by luck). A set without out-of-scope samples is
// tuned on precision alone. Using the bound rather than the observed
// precision keeps the threshold from resting on a lucky handful of answers.
func Tune(outs []Outcome, target float64) (Tuning, error) {
	sorted := slices.Clone(outs)
	slices.SortFunc(sorted, func(a, b Outcome) int { return -cmpFloat(a.Confidence, b.Confidence) })
	oos := 0
	for _, o := range outs {
		if o.Want == "" {
			oos++
		}
	}
	best, found := Tuning{Threshold: 1}, false
	var c tally
	for i, o := range sorted {
		c.add(o)
		if i+1 < len(sorted) && sorted[i+1].Confidence == o.Confidence {
			continue
		}
		switch b := c.fails(target, oos); {
		case b == BoundNone:
			best, found = Tuning{Threshold: o.Confidence}, true
		case found && best.Bound == BoundNone:
			best.Bound = b
		}
	}
	if !found {
		return Tuning{}, ErrNoThreshold
	}
	return best, nil
}

// tally counts the answers above a threshold during Tune.
type tally struct{ right, wrong, oos int }

// add counts o as answered (when the index matched anything).
func (c *tally) add(o Outcome) {
	switch {
	case o.Got == "" || o.Short:
	case o.Want == "":
		c.oos++
		c.wrong++
	case o.Got == o.Want:
		c.right++
	default:
		c.wrong++
	}
}

// fails returns the constraint the counts break, precision first, or
// BoundNone when they meet both; the out-of-scope bound applies only when
// the set has out-of-scope samples (oos > 0).
func (c tally) fails(target float64, oos int) Bound {
	n := c.right + c.wrong
	switch {
	case n == 0 || wilsonLower(c.right, n) < target:
		return BoundPrecision
	case oos > 0 && float64(c.oos+1)/float64(oos+2) > 1-target:
		return BoundOOS
	}
	return BoundNone
}

// wilsonLower is the one-sided 95% Wilson score lower bound of k/n.
func wilsonLower(k, n int) float64 {
	const z = 1.6449
	p, nf := float64(k)/float64(n), float64(n)
	c := z * z / nf
	return (p + c/2 - z*math.Sqrt(p*(1-p)/nf+c/(4*nf))) / (1 + c)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
