package token

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// families are the reference tokenizers the estimate is measured against.
var families = []Encoding{O200K, CL100K}

// TestAccuracy checks the estimator against the committed o200k_base and
// cl100k_base counts of testdata/corpus.json: each encoding must stay within
// the error measured when it was fitted (docs/tokens.md) and must overcount
// in total, so history trimmed to a budget does not overshoot it.
func TestAccuracy(t *testing.T) {
	samples := loadSamples(t)
	t.Logf("estimate vs reference on testdata:\n%s", accuracyTable(samples))
	tests := []struct {
		enc, ref   Encoding
		group      string
		maxMeanAbs float64 // %
		maxP95Abs  float64 // %
		minTotal   float64 // %: the summed estimate overcounts by at least this
		maxTotal   float64 // %
	}{
		{O200K, O200K, "en", 8, 20, 0, 10},
		{O200K, O200K, "zh", 11, 25, 0, 10},
		{CL100K, CL100K, "en", 8, 20, 0, 10},
		{CL100K, CL100K, "zh", 11, 30, 0, 10},
		{CL100K, CL100K, "mix", 11, 30, 0, 15},
		{Conservative, CL100K, "zh", 11, 30, 0, 10},
		{Conservative, O200K, "en", 8, 20, 0, 10},
		// Against o200k the conservative encoding overcounts Chinese by
		// design: it must cover cl100k, which needs about 1.4x the tokens.
		{Conservative, O200K, "zh", 55, 80, 25, 55},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v/vs-%v/%s", tt.enc, tt.ref, tt.group), func(t *testing.T) {
			st := measure(samples, tt.enc.Count, tt.ref)[tt.group]
			if st.N == 0 {
				t.Fatalf("no samples in group %s", tt.group)
			}
			if st.MeanAbs > tt.maxMeanAbs || st.P95Abs > tt.maxP95Abs {
				t.Errorf("%v: want mean|err| <= %.0f%% and p95|err| <= %.0f%%", st, tt.maxMeanAbs, tt.maxP95Abs)
			}
			if st.TotalBias < tt.minTotal || st.TotalBias > tt.maxTotal {
				t.Errorf("%v: want the total to overcount by %.0f%% to %.0f%%", st, tt.minTotal, tt.maxTotal)
			}
		})
	}
}

// TestAccuracyExternal measures the estimator on the output of
// tools/tokencal --with-text named by TOKENCAL_REF, such as a held-out
// sample of CLINC150 utterances; it prints the table docs/tokens.md shows.
func TestAccuracyExternal(t *testing.T) {
	path := os.Getenv("TOKENCAL_REF")
	if path == "" {
		t.Skip("set TOKENCAL_REF to the output of tools/tokencal --with-text to measure on it")
	}
	t.Logf("estimate vs reference on %s:\n%s", path, accuracyTable(readJSONL(t, path)))
}

// accuracyTable is a Markdown table of the encodings against both
// reference families, by group. CL100K is left out: it shares
// Conservative's weights.
func accuracyTable(samples []sample) string {
	var b strings.Builder
	b.WriteString("| estimate | reference | group | n | mean abs err | p95 abs err | mean err | total err |\n")
	b.WriteString("|---|---|---|---:|---:|---:|---:|---:|\n")
	for _, e := range []Encoding{Conservative, O200K} {
		for _, ref := range families {
			stats := measure(samples, e.Count, ref)
			for _, g := range sortedGroups(stats) {
				st := stats[g]
				fmt.Fprintf(&b, "| %v | %v | %s | %d | %.1f%% | %.1f%% | %+.1f%% | %+.1f%% |\n",
					e, ref, g, st.N, st.MeanAbs, st.P95Abs, st.MeanSigned, st.TotalBias)
			}
		}
	}
	return b.String()
}
