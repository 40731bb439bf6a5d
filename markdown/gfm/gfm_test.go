package gfm

import (
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// shape writes the tree under n compactly: a table as Table[the first
// letter of each column's alignment] then H(header cells) and R(row
// cells), cells apart by "|"; struck text as S(…), a code span as C(…),
// text as its source (a soft line break as "/"), and any other node as its
// kind and children.
func shape(n ast.Node, src []byte) string {
	var b strings.Builder
	writeShape(&b, n, src)
	return b.String()
}

func writeShape(b *strings.Builder, n ast.Node, src []byte) {
	children := func(sep string) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if c != n.FirstChild() {
				b.WriteString(sep)
			}
			writeShape(b, c, src)
		}
	}
	switch n := n.(type) {
	case *ast.Document:
		children("")
	case *ast.Text:
		b.Write(n.Segment.Value(src))
		if n.SoftLineBreak() {
			b.WriteString("/")
		}
	case *east.Table:
		b.WriteString("Table[")
		for _, a := range n.Alignments {
			b.WriteString(a.String()[:1])
		}
		b.WriteString("]")
		children("")
	case *east.TableHeader:
		b.WriteString("H(")
		children("|")
		b.WriteString(")")
	case *east.TableRow:
		b.WriteString("R(")
		children("|")
		b.WriteString(")")
	case *east.TableCell:
		children("")
	default:
		name := map[ast.NodeKind]string{east.KindStrikethrough: "S", ast.KindCodeSpan: "C", ast.KindParagraph: "P"}[n.Kind()]
		if name == "" {
			name = n.Kind().String()
		}
		b.WriteString(name + "(")
		children("")
		b.WriteString(")")
	}
}

// shapeCase is an answer and the shape of its tree.
type shapeCase struct{ name, md, want string }

func checkShapes(t *testing.T, tests []shapeCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := []byte(tt.md)
			if got := shape(NewParser().Parse(text.NewReader(src)), src); got != tt.want {
				t.Errorf("Parse(%q)\n got %s\nwant %s", tt.md, got, tt.want)
			}
		})
	}
}

func TestTables(t *testing.T) {
	checkShapes(t, []shapeCase{
		{"alignments", "| l | c | r | n |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |", "Table[lcrn]H(l|c|r|n)R(1|2|3|4)"},
		{"no outer pipes", "a | b\n-|-\nc | d", "Table[nn]H(a|b)R(c|d)"},
		{"one column", "a\n:-:\nb", "Table[c]H(a)R(b)"},
		{"header only", "| a |\n|---|", "Table[n]H(a)"},
		{"short row padded", "| a | b |\n|---|---|\n| 1 |", "Table[nn]H(a|b)R(1|)"},
		{"long row cut", "| a |\n|---|\n| 1 | 2 |", "Table[n]H(a)R(1)"},
		{"short header padded", "| a |\n|---|---|", "Table[nn]H(a|)"},
		{"long header is no table", "| a | b |\n|---|", "P(| a | b |/|---|)"},
		{"empty cells", "||a|\n|-|-|\n|||", "Table[nn]H(|a)R(|)"},
		{"paragraph before", "intro\n| a |\n|---|", "P(intro)Table[n]H(a)"},
		{"every later line a row", "| a |\n|---|\n|---|\nb", "Table[n]H(a)R(---)R(b)"},
		{"spaced dashes are no delimiter", "| a |\n|- -|", "P(| a |/|- -|)"},
		{"bad delimiter", "| a |\n|-:-|", "P(| a |/|-:-|)"},
		{"delimiter indented four", "| a |\n    |---|", "P(| a |/|---|)"},
		{"pipe in code splits", "| `a|b` |\n|---|---|", "Table[nn]H(`a|b`)"},
		{"escaped pipe", "| a\\|b |\n|---|", "Table[n]H(a\\|b)"},
		{"escaped pipe in code", "| `a\\|b\\|c` |\n|---|", "Table[n]H(C(a|b|c))"},
		{"escaped pipe in code outside a table", "`a\\|b`", "P(C(a\\|b))"},
		{"in a list", "- | a |\n  |---|\n  | 1 |", "List(ListItem(Table[n]H(a)R(1)))"},
		{"in a quote", "> | a |\n> |:--|", "Blockquote(Table[l]H(a))"},
	})
}

func TestStrikethrough(t *testing.T) {
	checkShapes(t, []shapeCase{
		{"two tildes", "~~a~~", "P(S(a))"},
		{"one tilde", "~a~", "P(S(a))"},
		{"unbalanced", "~~a~", "P(~S(a))"},
		{"three tildes are text", "a ~~~b~~~ c", "P(a ~~~b~~~ c)"},
		{"unclosed", "~~a", "P(~~a)"},
		{"spaced tildes are text", "a ~~ b ~~ c", "P(a ~~ b ~~ c)"},
		{"nested emphasis", "~~*a*~~", "P(S(Emphasis(a)))"},
		{"code inside", "~~`a~~`~~", "P(S(C(a~~)))"},
		{"fence is a block", "~~~\n~~a~~\n~~~", "FencedCodeBlock()"},
	})
}
