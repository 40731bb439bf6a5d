package words

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte("# c\nfoo\n\n赌博\r\n"))
	f.Add([]byte("\uFEFFa\xffb\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse("f", data)
		if err != nil {
			return
		}
		for _, w := range l.Words {
			if checkWord(w) != nil || w == "" || strings.ContainsAny(w, "\n") {
				t.Fatalf("accepted word %q", w)
			}
		}
		if _, err := New(l); err != nil {
			t.Fatalf("parsed list refused by New: %v", err)
		}
	})
}

// fuzzMatcher builds a matcher from the lines of words, skipping lines New
// would refuse and words with '*', which Replacement contains.
func fuzzMatcher(t *testing.T, words string) *Matcher {
	var ws []string
	for _, w := range strings.Split(words, "\n") {
		if strings.TrimSpace(w) != "" && checkWord(w) == nil && !strings.Contains(w, "*") {
			ws = append(ws, w)
		}
	}
	m, err := New(List{Name: "f", Words: ws})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func FuzzMask(f *testing.F) {
	f.Add("赌博\ncasino\nhe\nhers", "我在ＣＡＳＩＮＯ賭博 ushers")
	f.Add("ab\nbc", "abc\xff")
	f.Fuzz(func(t *testing.T, words, text string) {
		m := fuzzMatcher(t, words)
		masked := m.Mask(text)
		if hit, ok := m.Contains(masked); ok {
			t.Fatalf("Mask(%q) = %q still contains %q", text, masked, hit.Word)
		}
		if _, ok := m.Contains(text); !ok && masked != text {
			t.Fatalf("no hit but Mask changed %q to %q", text, masked)
		}
		// each masked run is at least one rune and becomes three
		if utf8.RuneCountInString(masked) > len(Replacement)*utf8.RuneCountInString(text) {
			t.Fatalf("Mask(%q) = %q is too long", text, masked)
		}
	})
}

func FuzzStream(f *testing.F) {
	f.Add("赌博\ncasino\nhe\nhers", "我在ＣＡＳＩＮＯ賭博 ushers", []byte{3, 1, 7})
	f.Add("ab\nbc\nabcd", "xabcabcd\xe8\xb5", []byte{1})
	f.Fuzz(func(t *testing.T, words, text string, cuts []byte) {
		m := fuzzMatcher(t, words)
		s := m.NewStream()
		var got strings.Builder
		rest := text
		for i := 0; len(rest) > 0; i++ {
			n := len(rest)
			if len(cuts) > 0 {
				n = min(n, 1+int(cuts[i%len(cuts)])%8)
			}
			got.WriteString(s.Write(rest[:n]))
			rest = rest[n:]
			if s.Held() > m.MaxLen() {
				t.Fatalf("holds %d runes, longest word %d", s.Held(), m.MaxLen())
			}
		}
		got.WriteString(s.Flush())
		if want := m.Mask(text); got.String() != want {
			t.Fatalf("stream %q, Mask %q", got.String(), want)
		}
	})
}
