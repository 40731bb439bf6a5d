package token

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// groupWeight is how much each reporting group weighs in the fit, so that
// thousands of short CLINC150 utterances do not drown the Chinese texts.
var groupWeight = map[string]float64{
	"en-clinc": 1, "en": 1, "zh": 1.5, "mix": 0.5, "ja": 0.5, "ko": 0.5, "other": 0.5,
}

// minBias is the overcount, in percent of the summed reference, that every
// fitted encoding must keep on each of the main groups: history trimmed to a
// budget must not overshoot it.
const minBias = 3.0

// biasGroups are the groups minBias is enforced on.
var biasGroups = []string{"en", "en-clinc", "zh"}

// TestFit refits the estimator's coefficients. It needs the output of
// tools/tokencal run with --with-text (see docs/tokens.md) in the file
// named by TOKENCAL_FIT, prints the weights to paste into weights.go and
// the error of the fitted and of the current weights on that file, and, when
// TOKENCAL_HOLDOUT names another such file, the error of the fitted weights
// on texts the fit did not see.
func TestFit(t *testing.T) {
	path := os.Getenv("TOKENCAL_FIT")
	if path == "" {
		t.Skip("set TOKENCAL_FIT to the output of tools/tokencal --with-text to refit the weights")
	}
	samples := readJSONL(t, path)
	var holdout []sample
	if p := os.Getenv("TOKENCAL_HOLDOUT"); p != "" {
		holdout = readJSONL(t, p)
	}
	var src strings.Builder
	for _, e := range families {
		w := fitWeights(samples, e)
		m := withMargin(samples, &w, e)
		t.Logf("%v: margin %.3f", e, m)
		fmt.Fprintf(&src, "%v: %s\n", e, formatWeights(w))
		fitted := func(s string) int { return w.count(s, 1) }
		t.Logf("fitted %v vs its reference:\n%s", e, report(measure(samples, fitted, e)))
		if holdout != nil {
			t.Logf("fitted %v vs its reference, held out:\n%s", e, report(measure(holdout, fitted, e)))
		}
		t.Logf("current %v vs its reference:\n%s", e, report(measure(samples, e.Count, e)))
	}
	t.Logf("weights.go:\n%s", src.String())
}

// fitWeights fits non-negative weights minimising the weighted squared
// relative error against family e, by projected coordinate descent on the
// normal equations.
func fitWeights(samples []sample, e Encoding) weights {
	var a [numFeatures][numFeatures]float64
	var b [numFeatures]float64
	counts := map[string]int{}
	for _, s := range samples {
		counts[s.group()]++
	}
	for _, s := range samples {
		y := float64(s.ref(e))
		tl := scan(s.Text)
		wt := groupWeight[s.group()] / float64(counts[s.group()]) / (y * y)
		for i := range tl {
			b[i] += wt * float64(tl[i]) * y
			for j := range tl {
				a[i][j] += wt * float64(tl[i]) * float64(tl[j])
			}
		}
	}
	var w weights
	for range 20000 {
		for k := range w {
			if a[k][k] == 0 {
				continue
			}
			g := -b[k]
			for j := range w {
				g += a[k][j] * w[j]
			}
			w[k] = max(0, w[k]-g/a[k][k])
		}
	}
	return w
}

// withMargin scales w by the smallest factor that gives every bias group
// at least minBias of overcount, and returns the factor.
func withMargin(samples []sample, w *weights, e Encoding) float64 {
	base := *w
	m := 1.0
	for ; m < 1.5; m += 0.005 {
		for i := range w {
			w[i] = base[i] * m
		}
		stats := measure(samples, func(s string) int { return w.count(s, 1) }, e)
		if !slices.ContainsFunc(biasGroups, func(g string) bool { return stats[g].TotalBias < minBias }) {
			break
		}
	}
	return m
}

// formatWeights prints w as a Go composite literal keyed by feature.
func formatWeights(w weights) string {
	var b strings.Builder
	b.WriteString("weights{\n")
	for i, x := range w {
		fmt.Fprintf(&b, "\t\t\t%s: %.4f,\n", featureNames[i], x)
	}
	b.WriteString("\t\t}")
	return b.String()
}

// featureNames are the Go names of the features.
var featureNames = [numFeatures]string{
	fHan:        "fHan",
	fHanRun:     "fHanRun",
	fKana:       "fKana",
	fHangul:     "fHangul",
	fWidePunct:  "fWidePunct",
	fWord2:      "fWord2",
	fWord4:      "fWord4",
	fWord6:      "fWord6",
	fWord8:      "fWord8",
	fWord10:     "fWord10",
	fWord12:     "fWord12",
	fWordLong:   "fWordLong",
	fLongLetter: "fLongLetter",
	fWideLetter: "fWideLetter",
	fDigitGroup: "fDigitGroup",
	fPunct:      "fPunct",
	fPunctRun:   "fPunctRun",
	fNewlineRun: "fNewlineRun",
	fSpaceRun:   "fSpaceRun",
	fLoneSpace:  "fLoneSpace",
	fOtherByte:  "fOtherByte",
}
