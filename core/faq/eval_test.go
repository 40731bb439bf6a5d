package faq

import (
	"errors"
	"math"
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
		Outcome{Sample{"a", "x"}, "x", 0.99},
		Outcome{Sample{"b", "x"}, "y", 0.95}, // wrong
		Outcome{Sample{"c", "y"}, "y", 0.5},  // below
		Outcome{Sample{"d", ""}, "x", 0.97},  // out of scope, answered
		Outcome{Sample{"e", ""}, "", 0},      // out of scope, no match
	)
	m := Measure(outs, 0.9)
	want := Metrics{Threshold: 0.9, N: 5, InScope: 3, Answered: 3, Right: 1, OOSAnswer: 1,
		Top1: 2.0 / 3, Coverage: 2.0 / 3, Precision: 1.0 / 3, OOSAccept: 0.5}
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
		outs = append(outs, Outcome{Sample{"q", "a"}, "a", 0.7 + 0.3*float64(i)/200})
	}
	for i := range 10 {
		outs = append(outs, Outcome{Sample{"q", "a"}, "b", 0.6 + 0.01*float64(i)})
	}
	for i := range 100 {
		c := 0.5 * float64(i) / 100
		if i < 2 {
			c = 0.95
		}
		outs = append(outs, Outcome{Sample{"q", ""}, "a", c})
	}
	th, err := Tune(outs, 0.97)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(th-0.7) > 1e-9 {
		t.Fatalf("threshold %v, want 0.7 (the lowest right answer above every wrong one)", th)
	}
	if _, err := Tune(outs[200:], 0.97); !errors.Is(err, ErrNoThreshold) {
		t.Fatalf("only wrong answers: err = %v", err)
	}
}
