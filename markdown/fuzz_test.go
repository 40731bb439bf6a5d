package markdown

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"

	"imbot/adapters/telegram/telegramtest"
)

// seeds are inputs every fuzz target starts from.
func seeds() []string {
	return []string{
		"**bold** *it* `code` [a](https://x.y) ~~s~~ <b>raw</b> &amp;",
		"# h\n- a\n1. b\n> q\n> > qq\n---\n```go\nx\n```",
		"| a | b |\n|:-|-:|\n| 中文 | `x|y` |",
		"```\nunclosed", "**open", "[open](https://", "***x***", "a_b_c __d__", "😀 <&> \\*",
		"- a\n\n  ```\n  code\n  ```\n- b", "![![x](https://a)](https://b)", "<div>\n*x*\n</div>",
		typicalAnswer(),
	}
}

func FuzzTelegram(f *testing.F) {
	for _, s := range seeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, md string) {
		r := Parse(md).Telegram()
		html := r.HTML()
		visible, err := telegramtest.ParseHTML(html)
		if err != nil {
			t.Fatalf("Telegram(%q) = %q: refused: %v", md, html, err)
		}
		if visible != r.Text() || !utf8.ValidString(visible) {
			t.Fatalf("visible text %q, want %q", visible, r.Text())
		}
		for cut := 0; cut < len(visible); cut += 7 {
			if !utf8.RuneStart(visible[cut]) {
				continue
			}
			for _, part := range []Rich{r.Slice(0, cut), r.Slice(cut, len(visible))} {
				if _, err := telegramtest.ParseHTML(part.HTML()); err != nil {
					t.Fatalf("slice at %d of %q = %q: refused: %v", cut, md, part.HTML(), err)
				}
			}
		}
	})
}

func FuzzFeishu(f *testing.F) {
	for _, s := range seeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, md string) {
		out := Parse(md).Feishu()
		if err := checkFeishu(out); err != nil {
			t.Fatalf("Feishu(%q) = %q: %v", md, out, err)
		}
		// Read back as Markdown, the card shows the words the answer had
		// (where adjacent delimiters make the formatting differ).
		if got, want := words(Parse(out).Plain()), words(Parse(md).Plain()); got != want {
			t.Fatalf("Feishu(%q) = %q reads as\n%q, want\n%q", md, out, got, want)
		}
	})
}

func FuzzPlain(f *testing.F) {
	for _, s := range seeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, md string) {
		if out := Parse(md).Plain(); !utf8.ValidString(out) {
			t.Fatalf("Plain(%q) = %q: invalid UTF-8", md, out)
		}
	})
}

// checkFeishu checks card markdown the way a card needs it: valid UTF-8,
// every code fence closed, and no HTML (card markdown would take tags).
func checkFeishu(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("invalid UTF-8")
	}
	if err := checkFences(s); err != nil {
		return err
	}
	doc := Parse(s)
	return ast.Walk(doc.root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n.(type) {
		case *ast.RawHTML, *ast.HTMLBlock:
			if entering {
				return ast.WalkStop, fmt.Errorf("raw HTML at %q", n.Kind())
			}
		}
		return ast.WalkContinue, nil
	})
}

// checkFences fails when a code fence is left open: a line of three or
// more backticks or tildes (after quote markers and indentation) opens a
// block that only a line of at least as many of the same character closes.
// Markers of quotes and list items before a fence are skipped.
func checkFences(s string) error {
	var open string
	for _, line := range strings.Split(s, "\n") {
		t := stripContainers(line)
		c := byte(0)
		if t != "" {
			c = t[0]
		}
		run := 0
		for run < len(t) && t[run] == c {
			run++
		}
		switch {
		case (c != '`' && c != '~') || run < 3:
		case open == "":
			open = t[:run]
		case c == open[0] && run >= len(open) && strings.TrimSpace(t[run:]) == "":
			open = ""
		}
	}
	if open != "" {
		return fmt.Errorf("code fence %q left open", open)
	}
	return nil
}

// stripContainers removes the quote markers, list markers and indentation
// at the start of line.
func stripContainers(line string) string {
	for {
		t := strings.TrimLeft(line, " >")
		if len(t) > 1 && strings.IndexByte("-*+", t[0]) >= 0 && t[1] == ' ' {
			t = t[2:]
		}
		d := 0
		for d < len(t) && t[d] >= '0' && t[d] <= '9' {
			d++
		}
		if d > 0 && d+1 < len(t) && (t[d] == '.' || t[d] == ')') && t[d+1] == ' ' {
			t = t[d+2:]
		}
		if t == line {
			return t
		}
		line = t
	}
}

// words returns the letters and digits of s.
func words(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}
