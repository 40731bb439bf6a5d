package faq

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestReadSet(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		err  string
	}{
		{name: "valid", in: "{\"q\":\"How do I get a refund?\",\"want\":\"refund\"}\n\n{\"q\":\"tell me a joke\",\"want\":\"\"}\n", n: 2},
		{name: "crlf and blank lines", in: "\r\n{\"q\":\"怎么退款\",\"want\":\"refund\"}\r\n", n: 1},
		{name: "missing q", in: "{\"want\":\"x\"}\n", err: "line 1: empty \"q\""},
		{name: "unknown field", in: "{\"q\":\"a\",\"wnt\":\"x\"}\n", err: "line 1"},
		{name: "not json", in: "{\"q\":\"a\"}\nnope\n", err: "line 2"},
		{name: "line too long", in: "{\"q\":\"" + strings.Repeat("a", MaxSetLineBytes) + "\"}\n", err: "too long"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set, err := ReadSet(strings.NewReader(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || len(set) != tc.n {
				t.Fatalf("%d samples, err %v; want %d", len(set), err, tc.n)
			}
		})
	}
}

func FuzzReadSet(f *testing.F) {
	f.Add("{\"q\":\"a\",\"want\":\"b\"}\n{\"q\":\"c\",\"want\":\"\"}\n")
	f.Add("\n\n")
	f.Add("{\"q\":1}")
	f.Add("[\"q\"]\n{")
	f.Fuzz(func(t *testing.T, in string) {
		set, err := ReadSet(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, s := range set {
			if s.Q == "" {
				t.Fatal("accepted an empty query")
			}
		}
	})
}

func FuzzReadCLINC(f *testing.F) {
	f.Add(`{"train":[["how do i get a refund","refund"]],"test":[["refund please","refund"]],"oos_test":[["joke","oos"]]}`)
	f.Add(`{"train":[["a"]]}`)
	f.Add(`{"train":[]}`)
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ReadCLINC(strings.NewReader(in))
		if err != nil {
			return
		}
		kb := c.KB(1)
		for _, e := range kb.Entries {
			if len(e.Questions) != 1 {
				t.Fatalf("entry %q has %d questions with perIntent 1", e.ID, len(e.Questions))
			}
		}
		_ = Samples(c.Test, c.OOSTest)
	})
}

func outcomes(rows ...Outcome) []Outcome { return rows }

func TestMeasure(t *testing.T) {
	outs := outcomes(
		Outcome{Sample{"a", "x"}, "x", 0.99, false},
		Outcome{Sample{"b", "x"}, "y", 0.95, false}, // wrong
		Outcome{Sample{"c", "y"}, "y", 0.5, false},  // below
		Outcome{Sample{"d", ""}, "x", 0.97, false},  // out of scope, answered
		Outcome{Sample{"e", ""}, "", 0, false},      // out of scope, no match
		Outcome{Sample{"f", "x"}, "x", 0.99, true},  // too short to answer
	)
	m := Measure(outs, 0.9)
	want := Metrics{Threshold: 0.9, N: 6, InScope: 4, Answered: 3, Right: 1, OOSAnswer: 1,
		Top1: 3.0 / 4, Coverage: 2.0 / 4, Precision: 1.0 / 3, OOSAccept: 0.5}
	if m != want {
		t.Fatalf("Measure = %+v\nwant      %+v", m, want)
	}
	if m := Measure(outs, 1.01); m.Precision != 1 || m.Answered != 0 {
		t.Fatalf("nothing answered: %+v", m)
	}
}

func TestTune(t *testing.T) {
	var outs []Outcome
	// 200 right answers with high confidence, 10 wrong ones in the middle,
	// 100 out-of-scope queries of which 2 score high.
	for i := range 200 {
		outs = append(outs, Outcome{Sample: Sample{"q", "a"}, Got: "a", Confidence: 0.7 + 0.3*float64(i)/200})
	}
	for i := range 10 {
		outs = append(outs, Outcome{Sample: Sample{"q", "a"}, Got: "b", Confidence: 0.6 + 0.01*float64(i)})
	}
	for i := range 100 {
		c := 0.5 * float64(i) / 100
		if i < 2 {
			c = 0.95
		}
		outs = append(outs, Outcome{Sample: Sample{"q", ""}, Got: "a", Confidence: c})
	}
	tu, err := Tune(outs, 0.97)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(tu.Threshold-0.7) > 1e-9 || tu.Bound != BoundPrecision {
		t.Fatalf("Tune = %+v, want 0.7 (the lowest right answer above every wrong one), bound by precision", tu)
	}
	if _, err := Tune(outs[200:], 0.97); !errors.Is(err, ErrNoThreshold) {
		t.Fatalf("only wrong answers: err = %v", err)
	}
}

// TestTuneBounds checks the constraint reported and that a set without
// out-of-scope samples is tuned on precision alone.
func TestTuneBounds(t *testing.T) {
	right := func(c float64) Outcome { return Outcome{Sample: Sample{"q", "a"}, Got: "a", Confidence: c} }
	oos := func(c float64) Outcome { return Outcome{Sample: Sample{"q", ""}, Got: "a", Confidence: c} }
	var allRight []Outcome
	for i := range 1000 {
		allRight = append(allRight, right(0.5+0.5*float64(i)/1000))
	}
	inScope := slices.Clone(allRight)
	for range 40 {
		inScope = append(inScope, Outcome{Sample: Sample{"q", "a"}, Got: "b", Confidence: 0.4})
	}
	oosHigh := slices.Clone(allRight)
	for i := range 40 {
		oosHigh = append(oosHigh, oos(0.1+0.01*float64(i)))
	}
	oosHigh = append(oosHigh, oos(0.8), oos(0.9))
	tests := []struct {
		name  string
		outs  []Outcome
		th    float64
		bound Bound
	}{
		{"no out-of-scope, every answer right", allRight, 0.5, BoundNone},
		{"no out-of-scope, 40 wrong answers at the bottom", inScope, 0.5, BoundPrecision},
		{"two out-of-scope answers high up", oosHigh, 0.9 + 1e-9, BoundOOS},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tu, err := Tune(tc.outs, 0.97)
			if err != nil {
				t.Fatal(err)
			}
			if tu.Threshold < tc.th-1e-9 || tu.Threshold > tc.th+0.01 || tu.Bound != tc.bound {
				t.Fatalf("Tune = %+v, want threshold ≈ %v bound %v", tu, tc.th, tc.bound)
			}
		})
	}
}
