package markdown

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
)

// goldmarkGFMParser is goldmark with its own table and strikethrough
// extensions: the parser the gfm package replaces, which the renderings
// must not tell apart from it.
var goldmarkGFMParser = sync.OnceValue(func() parser.Parser {
	return goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough)).Parser()
})

// gfmCase is an answer that exercises one corner of tables or
// strikethrough.
type gfmCase struct{ name, md string }

// gfmCases are the corners of tables and strikethrough where the two
// parsers could part.
func gfmCases() []gfmCase {
	return []gfmCase{
		{"pipe in code span splits the cell", "| a | b |\n|---|---|\n| `x|y` | z |"},
		{"escaped pipe", "| a | b |\n|---|---|\n| x \\| y | z |"},
		{"escaped pipe in code span", "| a |\n|---|\n| `x\\|y` |"},
		{"escaped pipes in two code spans", "| a |\n|---|\n| `a\\|b\\|c` and `d\\|e` |"},
		{"escaped pipe after a code span", "| a |\n|---|\n| `x` \\| y |"},
		{"escaped pipe before a code span", "| a |\n|---|\n| \\| `y` |"},
		{"escaped backslash before a pipe", "| a | b |\n|---|---|\n| x\\\\| y |\n| `x\\\\|y` |"},
		{"escaped pipe ends the row", "| a | b |\n|---|---|\n| `x\\|"},
		{"escaped pipe in a link in a cell", "| a |\n|---|\n| [`x\\|y`](https://x.y) |"},
		{"escaped pipe outside tables", "`x\\|y` and x\\|y"},
		{"header wider than delimiter", "| a | b | c |\n|---|---|\n| 1 | 2 |"},
		{"header narrower than delimiter", "| a |\n|---|---|\n| 1 | 2 |"},
		{"row with fewer cells", "| a | b | c |\n|:-:|--:|---|\n| 1 |\n| 1 | 2 |"},
		{"row with more cells", "| a | b |\n|---|---|\n| 1 | 2 | 3 | 4 |"},
		{"alignments", "| l | c | r | n |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |\n| long cell | long cell | long cell | x |"},
		{"no outer pipes", "a | b\n:- | -:\nc | d"},
		{"one column without pipes", "a\n-:\nb"},
		{"setext underline after a table", "0\n-:\n-"},
		{"delimiter of dashes only", "| a |\n---\n| b |"},
		{"bad delimiter cells", "| a |\n|:|\n\n| a |\n|::-|\n\n| a |\n| - - |\n\n| a | b |\n|---||\n\n| a |\n|-x-|"},
		{"empty delimiter row", "| a |\n|\n\n| a |\n||"},
		{"delimiter indented four", "| a |\n    |---|\n| b |"},
		{"delimiter indented three", "| a |\n   |---|\n| b |"},
		{"tabs in the delimiter", "| a | b |\n|---\t|\t:--:|\n| 1 | 2 |"},
		{"vertical tab in the delimiter", "0\n\v-\n\n| a |\n|\f---|"},
		{"paragraph before the header", "intro line\n| a | b |\n|---|---|\n| 1 | 2 |"},
		{"trailing spaces before the header", "intro  \n| a |\n|---|\n| 1 |"},
		{"hard break before the header", "intro\\\n| a |\n|---|"},
		{"second delimiter is a row", "| a |\n|---|\n| b |\n|---|\n| c |"},
		{"tables apart", "| a |\n|---|\n| 1 |\n\n| b | c |\n|--:|:--|\n| 2 | 3 |"},
		{"row of one pipe", "| a |\n|---|\n|\n| b |"},
		{"empty cells", "| | a |\n|---|---|\n| | |\n||x|"},
		{"header only", "| a | b |\n|---|---|"},
		{"formatting in cells", "| **b** | ~~s~~ | [l](https://x.y) |\n|---|---|---|\n| `c` | <b>h</b> | &amp; <https://a.b> |"},
		{"wide characters in cells", "| 名前 | 😀 |\n|---|--:|\n| 梨 | é |"},
		{"link reference before the table", "[r]: https://x.y\n| a |\n|---|\n| [r] |"},
		{"table in a list", "- | a | b |\n  |---|---|\n  | 1 | 2 |\n- next"},
		{"table in an ordered list", "1. x\n   | a |\n   |:-:|\n   | 1 |"},
		{"table in a quote", "> | a | b |\n> |---|---|\n> | 1 | 2 |"},
		{"table in a list in a quote", "> - | a |\n>   |---|\n>   | x |"},
		{"lazy row after a quoted table", "> | a |\n> |---|\n| lazy |"},
		{"list item interrupts a table", "| a |\n|---|\n- item"},
		{"tabs in a list table", "-\t| a |\n\t|---|\n\t| b |"},
		{"strikethrough", "~~a~~ and ~b~"},
		{"unbalanced tildes", "~~a~ and ~b~~ and ~~c~~~ d"},
		{"three tildes inline", "a ~~~x~~~ b"},
		{"tildes that do not close", "~~open and ~single and ~"},
		{"spaced tildes", "~~ a ~~ and a ~ b ~ c"},
		{"tildes inside words", "a~~b~~c and x~y~z"},
		{"escaped tildes", "\\~~a~~ and ~~a\\~~"},
		{"struck and nested", "**~~a~~** ~~*b*~~ ~~a *b~~ c*"},
		{"struck code and link", "~~`x`~~ ~~[l](https://x.y)~~"},
		{"struck across lines", "~~a\nb~~\n\n~~a\n\nb~~"},
		{"tilde fence", "~~~\ncode ~~x~~\n~~~"},
		{"long tilde fence", "~~~~\n~~~\n~~~~"},
		{"unclosed tilde fence", "~~~go\nx ~~y~~"},
		{"indented tilde fence", " ~~~\n~~a~~\n ~~~"},
		{"backtick fence holds tildes", "```\n~~x~~\n```"},
	}
}

// parityInputs returns every answer the package's tests use: the cases of
// each test, the fuzz seeds and the committed fuzz corpus.
func parityInputs(t *testing.T) []string {
	inputs := append(seeds(), sliceInput)
	inputs = append(inputs, concurrentInputs()...)
	for _, cases := range [][]renderCase{telegramCases(), feishuCases(), plainCases()} {
		for _, c := range cases {
			inputs = append(inputs, c.md)
		}
	}
	for _, c := range streamCases() {
		inputs = append(inputs, c.md)
	}
	return append(inputs, corpusInputs(t)...)
}

// corpusInputs returns the inputs of the committed fuzz corpus, in which
// every fuzz target takes one string.
func corpusInputs(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "*", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fuzz corpus: %v", err)
	}
	var inputs []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		header, value, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
		quoted, ok := strings.CutPrefix(value, "string(")
		quoted, ok2 := strings.CutSuffix(quoted, ")")
		md, err := strconv.Unquote(quoted)
		if header != "go test fuzz v1" || !ok || !ok2 || err != nil {
			t.Fatalf("%s: not a corpus file of one string: %q", f, b)
		}
		inputs = append(inputs, md)
	}
	return inputs
}

// checkParity fails when md renders differently after parsing with
// goldmark's extensions than with the gfm package.
func checkParity(t *testing.T, md string) {
	t.Helper()
	want, got := parseWith(goldmarkGFMParser(), md), Parse(md)
	renderings := []struct {
		name   string
		render func(*Doc) string
	}{
		{"Telegram", func(d *Doc) string { return d.Telegram().HTML() }},
		{"Feishu", (*Doc).Feishu},
		{"Plain", (*Doc).Plain},
	}
	for _, r := range renderings {
		if g, w := r.render(got), r.render(want); g != w {
			t.Errorf("%s(%q)\n got %q\nwant %q (goldmark's extensions)", r.name, md, g, w)
		}
	}
}

func TestGFMCasesMatchGoldmarkExtensions(t *testing.T) {
	for _, c := range gfmCases() {
		t.Run(c.name, func(t *testing.T) { checkParity(t, c.md) })
	}
}

func TestTestInputsMatchGoldmarkExtensions(t *testing.T) {
	for _, md := range parityInputs(t) {
		checkParity(t, md)
	}
}

func FuzzGFMParity(f *testing.F) {
	for _, s := range seeds() {
		f.Add(s)
	}
	for _, c := range gfmCases() {
		f.Add(c.md)
	}
	f.Fuzz(checkParity)
}
