package markdown

import (
	"strings"
	"unicode"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// tableText lays a GFM table out as aligned monospace lines: the header, a
// rule, then the rows. cell renders one cell's visible text.
func tableText(t *east.Table, cell func(ast.Node) string) string {
	var rows [][]string
	for r := t.FirstChild(); r != nil; r = r.NextSibling() {
		var row []string
		for c := r.FirstChild(); c != nil; c = c.NextSibling() {
			row = append(row, strings.Join(strings.Fields(cell(c)), " "))
		}
		rows = append(rows, row)
	}
	widths := columnWidths(rows)
	var b strings.Builder
	for i, row := range rows {
		if i > 0 {
			b.WriteByte('\n')
		}
		writeRow(&b, row, widths, t.Alignments)
		if i == 0 {
			b.WriteByte('\n')
			writeRule(&b, widths)
		}
	}
	return b.String()
}

func columnWidths(rows [][]string) []int {
	var widths []int
	for _, row := range rows {
		for j, c := range row {
			if j >= len(widths) {
				widths = append(widths, 0)
			}
			widths[j] = max(widths[j], displayWidth(c))
		}
	}
	return widths
}

func writeRow(b *strings.Builder, row []string, widths []int, align []east.Alignment) {
	var line strings.Builder
	for j, w := range widths {
		if j > 0 {
			line.WriteString(" | ")
		}
		c := ""
		if j < len(row) {
			c = row[j]
		}
		pad := w - displayWidth(c)
		left := 0
		if j < len(align) {
			switch align[j] {
			case east.AlignRight:
				left = pad
			case east.AlignCenter:
				left = pad / 2
			}
		}
		line.WriteString(strings.Repeat(" ", left) + c + strings.Repeat(" ", pad-left))
	}
	b.WriteString(strings.TrimRight(line.String(), " "))
}

func writeRule(b *strings.Builder, widths []int) {
	for j, w := range widths {
		if j > 0 {
			b.WriteString("-+-")
		}
		b.WriteString(strings.Repeat("-", max(w, 1)))
	}
}

// displayWidth is the number of monospace columns s takes: East Asian wide
// characters and emoji take two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r) || r == '\u200d' || r >= 0xFE00 && r <= 0xFE0F:
		case isWide(r):
			n += 2
		default:
			n++
		}
	}
	return n
}

func isWide(r rune) bool {
	return r >= 0x1100 && r <= 0x115F || r >= 0x2E80 && r <= 0xA4CF || r >= 0xAC00 && r <= 0xD7A3 ||
		r >= 0xF900 && r <= 0xFAFF || r >= 0xFE30 && r <= 0xFE4F || r >= 0xFF00 && r <= 0xFF60 ||
		r >= 0xFFE0 && r <= 0xFFE6 || r >= 0x1F300 && r <= 0x1FAFF || r >= 0x20000 && r <= 0x3FFFD
}
