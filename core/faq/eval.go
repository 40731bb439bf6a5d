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
}

// Decide returns the tier the outcome gets under t, as Result.Decide does.
func (o Outcome) Decide(t Thresholds) core.Tier { return decide(o.Got != "", o.Confidence, t) }

// Run searches every sample in ix, on all CPUs, and returns the outcomes in
// the order of set.
func Run(ctx context.Context, ix *Index, set []Sample) []Outcome {
	out := make([]Outcome, len(set))
	ix.parallel(len(set), func(_ *scratch, i int) {
		r := ix.Search(ctx, set[i].Q)
		out[i] = Outcome{Sample: set[i], Confidence: r.Confidence}
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

// Tune chooses the answer threshold on a validation set: the lowest
// confidence at which the precision is at least target with 95% confidence
// (the one-sided Wilson lower bound; out-of-scope answers count as wrong) and
// no more than a (1−target) share of the out-of-scope samples is answered.
// Using the bound rather than the observed precision keeps the threshold from
// resting on a lucky handful of answers.
func Tune(outs []Outcome, target float64) (float64, error) {
	sorted := slices.Clone(outs)
	slices.SortFunc(sorted, func(a, b Outcome) int { return -cmpFloat(a.Confidence, b.Confidence) })
	oos := 0
	for _, o := range outs {
		if o.Want == "" {
			oos++
		}
	}
	best, found := 1.0, false
	right, wrong, oosAns := 0, 0, 0
	for i, o := range sorted {
		if o.Got != "" {
			switch {
			case o.Want == "":
				oosAns++
				wrong++
			case o.Got == o.Want:
				right++
			default:
				wrong++
			}
		}
		if i+1 < len(sorted) && sorted[i+1].Confidence == o.Confidence {
			continue
		}
		if right+wrong > 0 && wilsonLower(right, right+wrong) >= target &&
			float64(oosAns+1)/float64(oos+2) <= 1-target {
			best, found = o.Confidence, true
		}
	}
	if !found {
		return 0, ErrNoThreshold
	}
	return best, nil
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
