package faq

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// clincData reads CLINC150 from ../shared/data/clinc150/data_full.json
// relative to the module root, or skips the test when it is absent.
func clincData(tb testing.TB) CLINC {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("CLINC150: no go.mod above the test directory")
		}
		dir = parent
	}
	path := filepath.Join(dir, "..", "shared", "data", "clinc150", "data_full.json")
	f, err := os.Open(path)
	if err != nil {
		tb.Skipf("CLINC150 data set not found (%v); place data_full.json in ../shared/data/clinc150/ beside the repository to run this test", err)
	}
	defer f.Close()
	c, err := ReadCLINC(f)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// TestCLINC150 guards the measured quality of the FAQ tier: thresholds tuned
// on validation must hold on test, and the shipped defaults must be safe on a
// knowledge base with one example question per entry.
func TestCLINC150(t *testing.T) {
	c := clincData(t)
	ctx := context.Background()
	test := Samples(c.Test, c.OOSTest)

	t.Run("tuned on validation", func(t *testing.T) {
		ix, err := Build(ctx, c.KB(0), DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		tu, err := Tune(Run(ctx, ix, Samples(c.Val, c.OOSVal)), 0.97)
		if err != nil {
			t.Fatal(err)
		}
		th := tu.Threshold
		m := Measure(Run(ctx, ix, test), th)
		t.Logf("threshold %.4f: top1 %.4f coverage %.4f precision %.4f oos_accept %.4f", th, m.Top1, m.Coverage, m.Precision, m.OOSAccept)
		if m.Precision < 0.97 || m.OOSAccept > 0.02 || m.Coverage < 0.55 {
			t.Errorf("want precision ≥ 0.97, oos_accept ≤ 0.02, coverage ≥ 0.55")
		}
	})

	t.Run("tuned on validation without out-of-scope lines", func(t *testing.T) {
		ix, err := Build(ctx, c.KB(0), DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		tu, err := Tune(Run(ctx, ix, Samples(c.Val, nil)), 0.97)
		if err != nil {
			t.Fatal(err)
		}
		m := Measure(Run(ctx, ix, Samples(c.Test, nil)), tu.Threshold)
		t.Logf("threshold %.4f (%v): coverage %.4f precision %.4f", tu.Threshold, tu.Bound, m.Coverage, m.Precision)
		if tu.Bound != BoundPrecision || m.Precision < 0.97 || m.Coverage < 0.55 {
			t.Errorf("want the precision target to bind, precision ≥ 0.97, coverage ≥ 0.55")
		}
	})

	t.Run("one example per entry, default thresholds", func(t *testing.T) {
		ix, err := Build(ctx, c.KB(1), DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		m := Measure(Run(ctx, ix, test), DefaultAnswerThreshold)
		t.Logf("coverage %.4f precision %.4f oos_accept %.4f", m.Coverage, m.Precision, m.OOSAccept)
		if m.Precision < 0.90 || m.OOSAccept > 0.05 {
			t.Errorf("want precision ≥ 0.90, oos_accept ≤ 0.05")
		}
	})
}
