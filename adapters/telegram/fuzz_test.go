package telegram

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"

	"imbot/adapters/telegram/telegramtest"
	"imbot/markdown"
)

// letters returns the letters of s: the content that rendering must keep,
// whatever Markdown syntax it consumes (digits may go: an ordered list's
// numbers are renumbered).
func letters(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) {
			return r
		}
		return -1
	}, s)
}

// contentOf returns a document's visible text with each link's address
// after its label, which is where the Markdown had it.
func contentOf(d markdown.Rich) string {
	var b strings.Builder
	var anchor *markdown.Format
	var label strings.Builder
	endAnchor := func() {
		if anchor != nil && label.String() != anchor.Attr {
			b.WriteString(anchor.Attr)
		}
		anchor = nil
		label.Reset()
	}
	for _, s := range d {
		var a *markdown.Format
		for _, e := range s.Format {
			if e.Tag == "a" {
				a = e
			}
		}
		if a != anchor {
			endAnchor()
			anchor = a
		}
		b.WriteString(s.Text)
		if a != nil {
			label.WriteString(s.Text)
		}
	}
	endAnchor()
	return b.String()
}

func FuzzRenderSplit(f *testing.F) {
	for _, seed := range []string{
		"**bold** *it* `code` [a](https://x.y) ~~s~~ ||sp||",
		"# h\n- a\n1. b\n> q\n---\n```go\nx\n```",
		"```\nunclosed", "***x***", "a_b_c __d__", "😀 <&> \\*", longAnswer(600),
	} {
		f.Add(seed, uint16(4096))
		f.Add(seed, uint16(7))
	}
	f.Fuzz(func(t *testing.T, md string, limit uint16) {
		lim := int(limit)%maxMessageLen + 2
		d := render(md)
		content := contentOf(d)
		// Fences, character references and link syntax (definitions,
		// titles) may drop letters by design; elsewhere none are lost.
		if !strings.ContainsAny(md, "`~&[") {
			if got, want := letters(content), letters(strings.ToValidUTF8(md, "\uFFFD")); got != want {
				t.Fatalf("render lost text: got %q, want %q", got, want)
			}
		}
		var visible strings.Builder
		visible.WriteString(d.Text())
		chunks := split(d, lim)
		var joined strings.Builder
		for i, c := range chunks {
			plain, err := telegramtest.ParseHTML(c.HTML)
			if err != nil {
				t.Fatalf("chunk %d %q: %v", i, c.HTML, err)
			}
			if plain != c.Plain || !utf8.ValidString(plain) {
				t.Fatalf("chunk %d: visible text %q, plain %q", i, plain, c.Plain)
			}
			if n := telegramtest.UTF16Len(plain); n > lim || strings.TrimSpace(plain) == "" {
				t.Fatalf("chunk %d: %d UTF-16 units, limit %d: %q", i, n, lim, plain)
			}
			joined.WriteString(plain)
		}
		if got, want := strings.Join(strings.Fields(joined.String()), ""), strings.Join(strings.Fields(visible.String()), ""); got != want {
			t.Fatalf("split lost text:\n got %q\nwant %q", got, want)
		}
	})
}

func FuzzParseUpdate(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	self := identity{id: 123456, username: "imbot_test_bot"}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var u models.Update
		if json.Unmarshal(raw, &u) != nil {
			return
		}
		env, disp := parseUpdate(&u, self, time.Unix(0, 0))
		if disp == dispIgnore {
			return
		}
		if _, err := targetOf(env); err != nil {
			t.Fatalf("envelope %+v cannot be replied to: %v", env, err)
		}
		if disp == dispDeliver && (strings.TrimSpace(env.Text) == "" || !utf8.ValidString(env.Text)) {
			t.Fatalf("delivered text %q", env.Text)
		}
	})
}
