package words

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// naiveLongest returns, for each end position of text, the length of the
// longest key ending there (0 for none).
func naiveLongest(keys [][]rune, text []rune) []int {
	out := make([]int, len(text))
	for e := 1; e <= len(text); e++ {
		for _, k := range keys {
			if len(k) <= e && slices.Equal(text[e-len(k):e], k) {
				out[e-1] = max(out[e-1], len(k))
			}
		}
	}
	return out
}

func TestAutomatonMatchesNaive(t *testing.T) {
	tests := []struct {
		keys []string
		text string
	}{
		{[]string{"he", "she", "his", "hers"}, "ushers and his shed"},
		{[]string{"a", "ab", "bab", "bc", "bca", "c", "caa"}, "abccab bcaa"},
		{[]string{"法轮", "轮功", "法轮功"}, "他说法轮功不好"},
		{[]string{"x"}, ""},
		{[]string{"𝔸𝔹", "𝔹"}, "a𝔸𝔹𝔹"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var keys [][]rune
			for _, k := range tt.keys {
				keys = append(keys, []rune(k))
			}
			checkAutomaton(t, keys, []rune(tt.text))
		})
	}
}

func TestAutomatonRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		seen := map[string]bool{}
		var keys [][]rune
		for range 1 + rng.IntN(20) {
			k := randRunes(rng, 1+rng.IntN(4), "abc")
			if !seen[string(k)] {
				seen[string(k)] = true
				keys = append(keys, k)
			}
		}
		checkAutomaton(t, keys, randRunes(rng, rng.IntN(40), "abcd"))
	}
}

func randRunes(rng *rand.Rand, n int, alphabet string) []rune {
	a := []rune(alphabet)
	out := make([]rune, n)
	for i := range out {
		out[i] = a[rng.IntN(len(a))]
	}
	return out
}

func checkAutomaton(t *testing.T, keys [][]rune, text []rune) {
	t.Helper()
	a := buildAutomaton(keys)
	want := naiveLongest(keys, text)
	var s int32
	for i, r := range text {
		s = a.next(s, r)
		if got := int(a.nodes[s].outLen); got != want[i] {
			t.Fatalf("keys %q text %q: at %d longest %d, want %d", keys, string(text), i, got, want[i])
		}
		if got := a.nodes[s].outLen; got > 0 && len(keys[a.nodes[s].outKey]) != int(got) {
			t.Fatalf("outKey %d has length %d, want %d", a.nodes[s].outKey, len(keys[a.nodes[s].outKey]), got)
		}
	}
}
