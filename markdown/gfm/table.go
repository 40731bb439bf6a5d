package gfm

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

var (
	_ parser.ParagraphTransformer = tableTransformer{}
	_ parser.ASTTransformer       = codePipeTransformer{}
)

// escapedPipeCells is the parse context key under which the table
// transformer lists the cells whose code spans may hold an escaped pipe.
var escapedPipeCells = parser.NewContextKey()

// tableTransformer turns a paragraph into a table at its first delimiter
// row (such as "|:--|--:|") when the line before it, the header row, has
// no more cells than the delimiter row has columns. Every later line of the
// paragraph is a row of the table; the lines before the header stay a
// paragraph.
type tableTransformer struct{}

// Transform implements parser.ParagraphTransformer.
func (tableTransformer) Transform(para *ast.Paragraph, reader text.Reader, pc parser.Context) {
	src := reader.Source()
	lines := para.Lines()
	for i := 1; i < lines.Len(); i++ {
		delim := lines.At(i)
		align, ok := delimiterRow(delim.Value(src))
		if !ok {
			continue
		}
		header := rowCells(make([]text.Segment, 0, len(align)+1), lines.At(i-1), src)
		if len(header) > len(align) {
			return
		}
		table := newTable(align, header, lines.Sliced(i+1, lines.Len()), src, pc)
		table.SetPos(para.Pos())
		para.Parent().InsertAfter(para.Parent(), para, table)
		keepLines(para, i-1, src)
		return
	}
}

// newTable builds a table of the header's cells and a row for each of the
// lines in rows. The rows' cells reuse the header's storage.
func newTable(align []east.Alignment, header, rows []text.Segment, src []byte, pc parser.Context) *east.Table {
	table := east.NewTable()
	table.Alignments = align
	head := &east.TableHeader{Alignments: align}
	appendCells(head, header, align, src, pc)
	table.AppendChild(table, head)
	for _, line := range rows {
		row := east.NewTableRow(align)
		appendCells(row, rowCells(header[:0], line, src), align, src, pc)
		table.AppendChild(table, row)
	}
	return table
}

// keepLines cuts para down to its first n lines, without the line break
// that led to the table, and removes it when n is 0.
func keepLines(para *ast.Paragraph, n int, src []byte) {
	lines := para.Lines()
	lines.SetSliced(0, n)
	if n == 0 {
		para.Parent().RemoveChild(para.Parent(), para)
		return
	}
	last := lines.At(n - 1)
	if last.Stop > last.Start && src[last.Stop-1] == '\n' {
		lines.Set(n-1, last.WithStop(last.Stop-1))
	}
}

// delimiterRow returns the column alignments a delimiter row sets. The row
// is indented at most three columns and holds, between pipes, cells of
// dashes with an optional colon at either end: ":--" aligns left, "--:"
// right and ":-:" centres. A pipe at either end of the row is optional,
// and a line of dashes alone is not a delimiter row. Spaces are those
// goldmark trims from lines: space, tab, line feed and carriage return.
func delimiterRow(line []byte) ([]east.Alignment, bool) {
	if indent, _ := util.IndentWidth(line, 0); indent > 3 || len(bytes.Trim(line, "-")) == 0 {
		return nil, false
	}
	for _, c := range line {
		if c != '-' && c != ':' && c != '|' && !util.IsSpace(c) {
			return nil, false
		}
	}
	cols := bytes.Split(line, []byte{'|'})
	if util.IsBlank(cols[0]) {
		cols = cols[1:]
	}
	if len(cols) > 0 && util.IsBlank(cols[len(cols)-1]) {
		cols = cols[:len(cols)-1]
	}
	if len(cols) == 0 {
		return nil, false
	}
	align := make([]east.Alignment, len(cols))
	for i, col := range cols {
		a, ok := alignment(col)
		if !ok {
			return nil, false
		}
		align[i] = a
	}
	return align, true
}

// alignment reads one cell of a delimiter row.
func alignment(col []byte) (east.Alignment, bool) {
	col = col[util.TrimLeftSpaceLength(col):]
	col = col[:len(col)-util.TrimRightSpaceLength(col)]
	left := len(col) > 0 && col[0] == ':'
	if left {
		col = col[1:]
	}
	right := len(col) > 0 && col[len(col)-1] == ':'
	if right {
		col = col[:len(col)-1]
	}
	if len(col) == 0 || len(bytes.Trim(col, "-")) > 0 {
		return east.AlignNone, false
	}
	switch {
	case left && right:
		return east.AlignCenter, true
	case left:
		return east.AlignLeft, true
	case right:
		return east.AlignRight, true
	}
	return east.AlignNone, true
}

// rowCells splits a table row at its pipes into the segments of its cells,
// spaces trimmed, and appends them to cells. A pipe at either end of the
// row only marks the edge, and a pipe after a backslash is part of the
// cell, even in a code span.
func rowCells(cells []text.Segment, line text.Segment, src []byte) []text.Segment {
	line = line.TrimLeftSpace(src)
	line = line.TrimRightSpace(src)
	start, stop := line.Start, line.Stop
	if start < stop && src[start] == '|' {
		start++
	}
	if start < stop && src[stop-1] == '|' {
		stop--
	}
	for start < stop {
		end := start
		for end < stop && !(src[end] == '|' && src[end-1] != '\\') {
			end++
		}
		cell := text.NewSegment(start, end)
		cell = cell.TrimLeftSpace(src)
		cells = append(cells, cell.TrimRightSpace(src))
		start = end + 1
	}
	return cells
}

// appendCells appends one cell a column to a header or row: the row's cells
// in order, empty ones when it has fewer, none of those past the last
// column.
func appendCells(row ast.Node, cells []text.Segment, align []east.Alignment, src []byte, pc parser.Context) {
	for i, a := range align {
		cell := east.NewTableCell()
		cell.Alignment = a
		if i < len(cells) {
			cell.Lines().Append(cells[i])
			notePipesInCode(cell, cells[i].Value(src), pc)
		}
		row.AppendChild(row, cell)
	}
}

// notePipesInCode lists cell for codePipeTransformer when its text holds
// an escaped pipe and a backtick.
func notePipesInCode(cell *east.TableCell, content []byte, pc parser.Context) {
	if !bytes.Contains(content, []byte(`\|`)) || bytes.IndexByte(content, '`') < 0 {
		return
	}
	cells, _ := pc.Get(escapedPipeCells).([]*east.TableCell)
	pc.Set(escapedPipeCells, append(cells, cell))
}

// codePipeTransformer drops the backslash before each pipe inside the code
// spans of the cells the table transformer listed. A pipe in a cell needs
// the backslash even in code, so that it does not end the cell, but the
// backslash is not part of the code.
type codePipeTransformer struct{}

// Transform implements parser.ASTTransformer.
func (codePipeTransformer) Transform(_ *ast.Document, reader text.Reader, pc parser.Context) {
	cells, _ := pc.Get(escapedPipeCells).([]*east.TableCell)
	for _, cell := range cells {
		_ = ast.Walk(cell, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			span, ok := n.(*ast.CodeSpan)
			if !ok || !entering {
				return ast.WalkContinue, nil
			}
			for c := span.FirstChild(); c != nil; {
				next := c.NextSibling()
				if t, ok := c.(*ast.Text); ok {
					dropPipeEscapes(span, t, reader.Source())
				}
				c = next
			}
			return ast.WalkSkipChildren, nil
		})
	}
}

// dropPipeEscapes replaces the text t of a code span by pieces of raw text
// that leave out the backslash of each "\|".
func dropPipeEscapes(span *ast.CodeSpan, t *ast.Text, src []byte) {
	seg := t.Segment
	prev, start := ast.Node(t), seg.Start
	for i := seg.Start; i+1 < seg.Stop; i++ {
		if src[i] == '\\' && src[i+1] == '|' {
			piece := ast.NewRawTextSegment(text.NewSegment(start, i))
			span.InsertAfter(span, prev, piece)
			prev, start = piece, i+1
		}
	}
	if prev == t {
		return
	}
	span.InsertAfter(span, prev, ast.NewRawTextSegment(text.NewSegment(start, seg.Stop)))
	span.RemoveChild(span, t)
}
