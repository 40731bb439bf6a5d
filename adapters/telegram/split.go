package telegram

import (
	"strings"
	"unicode/utf16"

	"imbot/markdown"
)

// maxMessageLen is Telegram's limit on the text of one message, in UTF-16
// code units after entity parsing.
const maxMessageLen = 4096

// chunk is the text of one Telegram message, as HTML and as the plain text
// that is sent when Telegram cannot parse the HTML.
type chunk struct {
	HTML  string
	Plain string
}

// split cuts r into messages of at most limit UTF-16 units of visible text.
// It cuts at a paragraph break, else a line break, else a space, preferring
// a cut in the second half of the window, and cuts a word only when a
// window holds no space at all. The whitespace at a cut is dropped; so are
// chunks of whitespace only, which Telegram refuses. Elements open at a cut
// are closed at the end of one message and opened again in the next.
func split(r markdown.Rich, limit int) []chunk {
	var out []chunk
	for _, cut := range cutPoints(r.Text(), limit) {
		part := r.Slice(cut[0], cut[1])
		c := chunk{HTML: part.HTML(), Plain: part.Text()}
		if strings.TrimSpace(c.Plain) != "" {
			out = append(out, c)
		}
	}
	return out
}

// cutPoints returns the [start, end) byte ranges of text that become
// messages.
func cutPoints(text string, limit int) [][2]int {
	var out [][2]int
	for p := 0; p < len(text); {
		e := window(text, p, limit)
		if e == len(text) {
			out = append(out, [2]int{p, e})
			break
		}
		w := text[p:e]
		if text[e] == ' ' || text[e] == '\n' {
			w = text[p : e+1] // a break right after the window is a break too
		}
		cut, next := breakPoint(w)
		out = append(out, [2]int{p, p + min(cut, e-p)})
		p += next
	}
	return out
}

// window returns the largest rune boundary e with text[p:e] at most limit
// UTF-16 units long.
func window(text string, p, limit int) int {
	units := 0
	for i, r := range text[p:] {
		units += utf16.RuneLen(r)
		if units > limit {
			return p + i
		}
	}
	return len(text)
}

// breakPoint picks where to cut w, the window of text that fits (and the
// whitespace byte after it, if any): cut is where the message ends and next
// is where the following one starts.
func breakPoint(w string) (cut, next int) {
	seps := []string{"\n\n", "\n", " "}
	for _, min := range []int{len(w) / 2, 1} {
		for _, sep := range seps {
			if i := strings.LastIndex(w, sep); i >= min {
				return len(strings.TrimRight(w[:i], " \n")), i + len(sep)
			}
		}
	}
	return len(w), len(w)
}
