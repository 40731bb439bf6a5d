package words

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// benchWords returns n distinct deterministic words: half Chinese (2–6
// characters from the common CJK block), half English (4–10 letters).
func benchWords(n int) []string {
	rng := rand.New(rand.NewPCG(42, 7))
	seen := map[string]bool{}
	var ws []string
	for len(ws) < n {
		var w []rune
		if len(ws)%2 == 0 {
			for range 2 + rng.IntN(5) {
				w = append(w, rune(0x4E00+rng.IntN(3000)))
			}
		} else {
			for range 4 + rng.IntN(7) {
				w = append(w, rune('a'+rng.IntN(26)))
			}
		}
		if !seen[string(w)] {
			seen[string(w)] = true
			ws = append(ws, string(w))
		}
	}
	return ws
}

// benchText returns a 2,000-rune message: Chinese and English mixed, with a
// few listed words in it.
func benchText(ws []string) string {
	rng := rand.New(rand.NewPCG(9, 9))
	var b strings.Builder
	n := 0
	for n < 2000 {
		var r rune
		switch rng.IntN(10) {
		case 0, 1, 2:
			r = rune('a' + rng.IntN(26))
		case 3:
			r = ' '
		default:
			r = rune(0x4E00 + rng.IntN(3000))
		}
		b.WriteRune(r)
		n++
		if n%400 == 0 {
			w := ws[rng.IntN(len(ws))]
			b.WriteString(w)
			n += len([]rune(w))
		}
	}
	return string([]rune(b.String())[:2000])
}

func BenchmarkBuild10k(b *testing.B) {
	l := List{Name: "bench", Words: benchWords(10000)}
	for b.Loop() {
		if _, err := New(l); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatch2000(b *testing.B) {
	ws := benchWords(10000)
	m := mustMatcher(b, List{Name: "bench", Words: ws})
	text := benchText(ws)
	clean := strings.ReplaceAll(m.Mask(text), Replacement, "")
	if _, ok := m.Contains(clean); ok {
		b.Fatal("clean text has a hit")
	}
	b.Run("Contains/clean", func(b *testing.B) {
		for b.Loop() {
			m.Contains(clean)
		}
	})
	b.Run("Mask", func(b *testing.B) {
		for b.Loop() {
			m.Mask(text)
		}
	})
	b.Run("Stream/64-byte chunks", func(b *testing.B) {
		s := m.NewStream()
		for b.Loop() {
			for i := 0; i < len(text); i += 64 {
				s.Write(text[i:min(i+64, len(text))])
			}
			s.Flush()
		}
	})
}
