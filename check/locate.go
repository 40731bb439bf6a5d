package check

import (
	"strconv"
	"strings"
)

// Entry is one key written in a TOML file: its full path, with the index
// of every array of tables it sits in ("providers[1].model"), the line it
// is on (from 1) and its raw value text.
type Entry struct {
	Path  string
	Line  int
	Value string
}

// Locate finds every key and table header of a TOML document with its line.
// It is deliberately forgiving: it never fails, and what it cannot read it
// skips, because it only adds line numbers to problems the real decoder
// has already found. Table headers are entries without a value.
func Locate(data string) []Entry {
	var l locator
	l.arrays = map[string]int{}
	for i, line := range strings.Split(data, "\n") {
		l.line(i+1, line)
	}
	return l.entries
}

// locator is the state of Locate between lines.
type locator struct {
	entries []Entry
	table   string         // current table path, indexed
	arrays  map[string]int // array-of-tables path (indexed parents) → count
	closer  string         // delimiter that ends an open multi-line string
	depth   int            // open brackets of a multi-line array or table
}

// line reads one line of the document.
func (l *locator) line(n int, text string) {
	text = strings.TrimSpace(text)
	switch {
	case l.closer != "":
		if strings.Contains(text, l.closer) {
			l.closer = ""
		}
	case l.depth > 0:
		l.depth += bracketDepth(text)
	case text == "" || text[0] == '#':
	case strings.HasPrefix(text, "[["):
		l.header(n, text, "[[", "]]")
	case text[0] == '[':
		l.header(n, text, "[", "]")
	default:
		l.keyValue(n, text)
	}
}

// header handles [table] and [[array.of.tables]].
func (l *locator) header(n int, text, open, close string) {
	end := strings.Index(text, close)
	if end < 0 {
		return
	}
	segs := splitKey(text[len(open):end])
	if len(segs) == 0 {
		return
	}
	path := l.resolve(segs)
	if open == "[[" {
		i := l.arrays[path]
		l.arrays[path] = i + 1
		path += "[" + strconv.Itoa(i) + "]"
	}
	l.table = path
	l.entries = append(l.entries, Entry{Path: path, Line: n})
}

// resolve joins key segments into a path, adding the latest index of every
// array of tables the path passes through.
func (l *locator) resolve(segs []string) string {
	var path string
	for i, s := range segs {
		if i > 0 {
			path += "."
		}
		path += s
		if c, ok := l.arrays[path]; ok && i < len(segs)-1 && c > 0 {
			path += "[" + strconv.Itoa(c-1) + "]"
		}
	}
	return path
}

// keyValue handles key = value, opening a multi-line string or array.
func (l *locator) keyValue(n int, text string) {
	eq := indexOutsideQuotes(text, '=')
	if eq < 0 {
		return
	}
	segs := splitKey(text[:eq])
	if len(segs) == 0 {
		return
	}
	path := strings.Join(segs, ".")
	if l.table != "" {
		path = l.table + "." + path
	}
	value := strings.TrimSpace(text[eq+1:])
	for _, q := range []string{`"""`, `'''`} {
		if strings.HasPrefix(value, q) && !strings.Contains(value[len(q):], q) {
			l.closer = q
		}
	}
	if l.closer != "" {
		value = ""
	}
	l.depth = max(bracketDepth(value), 0)
	l.entries = append(l.entries, Entry{Path: path, Line: n, Value: plainValue(value)})
}
