package faq

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFeatures(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		words     int // famWord features
		chars     int // famChar features
		sameAs    string
		different string
	}{
		{name: "english word and its concept", in: "Refund", words: 2, chars: 5, sameAs: "refund", different: "refuse"},
		{name: "full width and case", in: "ＲＥＦＵＮＤ!", words: 2, chars: 5, sameAs: "refund"},
		{name: "word without concept", in: "jacket", words: 1, chars: 5, different: "jackal"},
		{name: "apostrophe joins", in: "what's", words: 1, chars: 4, sameAs: "whats"},
		{name: "punctuation separates", in: "a,b", words: 2, chars: 0, sameAs: "a b"},
		{name: "chinese run", in: "退款流程", words: 3, chars: 7, sameAs: "退款流程？"},
		{name: "phrase concept", in: "send back", words: 2 + 1, chars: 3 + 3},
		{name: "lone chinese char", in: "你", words: 1, chars: 1},
		{name: "mixed scripts", in: "imbot怎么用", words: 1 + 2, chars: 4 + 5},
		{name: "empty", in: "", words: 0, chars: 0},
		{name: "only symbols", in: "!!! ??? ...", words: 0, chars: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var tk tokenizer
			fs := tk.features(tc.in)
			var n [famCount]int
			for _, f := range fs {
				n[f.fam]++
			}
			if n[famWord] != tc.words || n[famChar] != tc.chars {
				t.Fatalf("features(%q): %d words, %d chars; want %d, %d", tc.in, n[famWord], n[famChar], tc.words, tc.chars)
			}
			got := hashes(fs)
			if tc.sameAs != "" && got != hashes(new(tokenizer).features(tc.sameAs)) {
				t.Errorf("features(%q) differ from features(%q)", tc.in, tc.sameAs)
			}
			if tc.different != "" && got == hashes(new(tokenizer).features(tc.different)) {
				t.Errorf("features(%q) equal features(%q)", tc.in, tc.different)
			}
		})
	}
}

func hashes(fs []feature) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(string(rune(f.hash%1000003)) + ",")
	}
	return b.String()
}

func TestFeaturesBoundLongInput(t *testing.T) {
	var tk tokenizer
	long := strings.Repeat("x", 10*MaxQueryRunes)
	short := strings.Repeat("x", MaxQueryRunes)
	if a, b := len(tk.features(long)), len(new(tokenizer).features(short)); a != b {
		t.Fatalf("a %d-rune query gave %d features, its first %d runes %d", 10*MaxQueryRunes, a, MaxQueryRunes, b)
	}
}

func FuzzFeatures(f *testing.F) {
	for _, s := range []string{"", "How do I get a refund?", "怎么申请退款", "what's up", "ＡＢＣ１２３", "\xff\xfe", "a\u0301b", "😀 emoji"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var tk tokenizer
		fs := tk.features(s)
		if len(fs) > 4*utf8.RuneCountInString(s)+4 {
			t.Fatalf("%d features for %d runes", len(fs), utf8.RuneCountInString(s))
		}
		for _, x := range fs {
			if x.fam >= famCount {
				t.Fatalf("family %d", x.fam)
			}
		}
		if again := tk.features(s); hashes(again) != hashes(new(tokenizer).features(s)) {
			t.Fatal("features are not deterministic")
		}
	})
}

func TestContentUnits(t *testing.T) {
	tests := []struct {
		q    string
		want int
	}{
		{"data", 1},
		{"#long", 1},
		{"hi!", 1},
		{"嗯", 1},
		{"嗯。。。", 1},
		{"what's up", 2},
		{"退款", 2},
		{"api 密钥", 2},
		{"", 0},
		{"?!", 0},
	}
	for _, tc := range tests {
		if got := contentUnits(tc.q); got != tc.want {
			t.Errorf("contentUnits(%q) = %d, want %d", tc.q, got, tc.want)
		}
	}
}

func TestCJKFunctionCharactersAreDamped(t *testing.T) {
	var tk tokenizer
	stops := 0
	for _, f := range tk.features("怎么退款") {
		if f.stop {
			stops++
		}
	}
	// 怎, 么 and the bigrams 怎么 and 么退 (each as character and word
	// feature) are damped; 退, 款 and 退款 are not.
	if stops != 6 {
		t.Fatalf("%d damped features, want 6", stops)
	}
	for _, f := range tk.features("how do I get a refund") {
		if f.stop {
			t.Fatal("Latin words are not damped")
		}
	}
}
