package faq

import (
	"context"
	"os"
	"testing"
)

// TestHeldOut measures the shipped defaults on the held-out one-question
// knowledge bases in testdata: one example question per entry plus its
// answer, queried with paraphrases and out-of-scope questions written before
// the index was tuned. Only the *_dev.jsonl queries were looked at while
// tuning; this test reports the *_test.jsonl ones. The goal is 15 % coverage
// at precision 0.90 with at most 5 % of out-of-scope queries answered.
// Chinese reaches it (0.227 coverage, 20 of 21 right); English does not
// (0.091 coverage, 7 of 9 right), so its guards are the measured figures
// (docs/faq.md), which keep the ranking and the confidence from regressing.
func TestHeldOut(t *testing.T) {
	tests := []struct {
		lang                          string
		minTop1, minCoverage, minPrec float64
	}{
		{"zh", 0.60, 0.15, 0.90},
		{"en", 0.44, 0.09, 0.77},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			kb, err := Load("testdata/heldout_" + tc.lang + ".toml")
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range kb.Entries {
				if len(e.Questions) != 1 {
					t.Fatalf("entry %s has %d example questions, want 1", e.ID, len(e.Questions))
				}
			}
			ix, err := Build(context.Background(), kb, DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			set := readSetFile(t, "testdata/heldout_"+tc.lang+"_test.jsonl")
			m := Measure(Run(context.Background(), ix, set), DefaultAnswerThreshold)
			t.Logf("n %d: top1 %.4f coverage %.4f precision %.4f oos_accept %.4f", m.N, m.Top1, m.Coverage, m.Precision, m.OOSAccept)
			if m.Top1 < tc.minTop1 || m.Coverage < tc.minCoverage || m.Precision < tc.minPrec || m.OOSAccept > 0.05 {
				t.Errorf("want top1 ≥ %.2f, coverage ≥ %.2f, precision ≥ %.2f, oos_accept ≤ 0.05", tc.minTop1, tc.minCoverage, tc.minPrec)
			}
		})
	}
}

func readSetFile(t *testing.T, path string) []Sample {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	set, err := ReadSet(f)
	if err != nil {
		t.Fatal(err)
	}
	return set
}
