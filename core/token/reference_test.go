package token

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

// sample is one text with the token counts real tokenizers gave it.
type sample struct {
	ID     string `json:"id"`
	Lang   string `json:"lang"`
	Text   string `json:"text"`
	O200K  int    `json:"o200k"`
	CL100K int    `json:"cl100k"`
}

// group is the reporting group of s: its language, with the CLINC150
// utterances apart from the prose written for this package.
func (s sample) group() string {
	if strings.HasPrefix(s.ID, "clinc-") {
		return "en-clinc"
	}
	return s.Lang
}

// ref returns the reference count of s for tokenizer family e: O200K, or
// CL100K for any other.
func (s sample) ref(e Encoding) int {
	if e == O200K {
		return s.O200K
	}
	return s.CL100K
}

// loadSamples reads the committed corpus and joins it with the committed
// reference counts by id.
func loadSamples(t testing.TB) []sample {
	t.Helper()
	raw, err := os.ReadFile("testdata/corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	var corpus []sample
	if err := json.Unmarshal(raw, &corpus); err != nil {
		t.Fatalf("corpus.json: %v", err)
	}
	refs := readJSONL(t, "testdata/reference.jsonl")
	byID := make(map[string]sample, len(refs))
	for _, r := range refs {
		byID[r.ID] = r
	}
	for i, s := range corpus {
		r, ok := byID[s.ID]
		if !ok {
			t.Fatalf("reference.jsonl has no counts for %s: regenerate it with tools/tokencal", s.ID)
		}
		corpus[i].O200K, corpus[i].CL100K = r.O200K, r.CL100K
	}
	return corpus
}

// readJSONL reads the line-per-sample output of tools/tokencal.
func readJSONL(t testing.TB, path string) []sample {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []sample
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var s sample
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out
}

// errStats summarises relative errors (estimate/reference - 1) in percent.
type errStats struct {
	N          int
	MeanAbs    float64 // mean absolute error, %
	P95Abs     float64 // 95th percentile of the absolute error, %
	MeanSigned float64 // mean signed error, %: > 0 means overcount
	Under      float64 // share of texts counted short, %
	TotalBias  float64 // error of the summed estimate against the summed reference, %
}

func (s errStats) String() string {
	return fmt.Sprintf("n=%d mean|err|=%.1f%% p95|err|=%.1f%% mean err=%+.1f%% under=%.0f%% total=%+.1f%%",
		s.N, s.MeanAbs, s.P95Abs, s.MeanSigned, s.Under, s.TotalBias)
}

// measure compares count with family ref over samples, grouped by group();
// the key "all" holds every sample.
func measure(samples []sample, count func(string) int, ref Encoding) map[string]errStats {
	errs := map[string][]float64{}
	sums := map[string][2]int{}
	for _, s := range samples {
		got, want := count(s.Text), s.ref(ref)
		e := 100 * (float64(got)/float64(want) - 1)
		for _, g := range []string{s.group(), "all"} {
			errs[g] = append(errs[g], e)
			sums[g] = [2]int{sums[g][0] + got, sums[g][1] + want}
		}
	}
	out := make(map[string]errStats, len(errs))
	for g, es := range errs {
		out[g] = summarise(es, sums[g])
	}
	return out
}

func summarise(errs []float64, sum [2]int) errStats {
	abs := make([]float64, len(errs))
	st := errStats{N: len(errs)}
	for i, e := range errs {
		abs[i] = math.Abs(e)
		st.MeanAbs += abs[i]
		st.MeanSigned += e
		if e < 0 {
			st.Under++
		}
	}
	n := float64(len(errs))
	st.MeanAbs /= n
	st.MeanSigned /= n
	st.Under = 100 * st.Under / n
	slices.Sort(abs)
	st.P95Abs = abs[min(len(abs)-1, int(math.Ceil(0.95*n))-1)]
	st.TotalBias = 100 * (float64(sum[0])/float64(sum[1]) - 1)
	return st
}

// sortedGroups returns the groups of stats in order.
func sortedGroups(stats map[string]errStats) []string {
	groups := make([]string, 0, len(stats))
	for g := range stats {
		groups = append(groups, g)
	}
	slices.Sort(groups)
	return groups
}

// report formats measure's result as lines sorted by group.
func report(stats map[string]errStats) string {
	var b strings.Builder
	for _, g := range sortedGroups(stats) {
		fmt.Fprintf(&b, "  %-9s %v\n", g, stats[g])
	}
	return b.String()
}
