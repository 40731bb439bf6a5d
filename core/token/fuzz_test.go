package token

import (
	"testing"
	"unicode/utf8"
)

// FuzzCount feeds arbitrary bytes (message text comes from the outside
// world) to every encoding: it must not panic, must give 0 only for "",
// and must stay within a bound proportional to the text's length.
func FuzzCount(f *testing.F) {
	for _, s := range []string{
		"", "hello", "你好，世界！", "こんにちは", "안녕하세요", "1234567890", "   \t\n\n",
		"```go\nfunc main() {}\n```", "🙂🙂🙂", "\xff\xfe\x00", "Crème brûlée", "a\u0301\u200d",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, e := range []Encoding{Conservative, O200K, CL100K} {
			n := e.Count(text)
			if (n == 0) != (text == "") {
				t.Fatalf("%v.Count(%q) = %d", e, text, n)
			}
			// No tally unit costs more than 2.2 tokens and each needs at
			// least one byte.
			if limit := 3*len(text) + 1; n > limit {
				t.Fatalf("%v.Count(%q) = %d, more than %d", e, text, n, limit)
			}
		}
		if utf8.ValidString(text) && len(text) > 0 && scan(text) == (tally{}) {
			t.Fatalf("scan(%q) tallied nothing", text)
		}
	})
}
