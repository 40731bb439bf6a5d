package check

import "strings"

// scan calls visit with every byte of s outside quoted strings, stopping at
// a comment or when visit returns false. It returns where a comment starts,
// or len(s).
func scan(s string, visit func(i int, c byte) bool) int {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == '"' && c == '\\':
			i++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			return i
		case !visit(i, c):
			return len(s)
		}
	}
	return len(s)
}

// indexOutsideQuotes returns the index of the first c outside quotes and
// before a comment, or -1.
func indexOutsideQuotes(s string, c byte) int {
	at := -1
	scan(s, func(i int, b byte) bool {
		if b == c {
			at = i
			return false
		}
		return true
	})
	return at
}

// bracketDepth returns how many brackets s opens and does not close.
func bracketDepth(s string) int {
	d := 0
	scan(s, func(_ int, c byte) bool {
		switch c {
		case '[', '{':
			d++
		case ']', '}':
			d--
		}
		return true
	})
	return d
}

// splitKey splits a dotted key at the dots outside quotes and unquotes each
// part; it returns nil for an empty part.
func splitKey(key string) []string {
	var parts []string
	start := 0
	scan(key+".", func(i int, c byte) bool {
		if c == '.' {
			parts = append(parts, unquote(strings.TrimSpace(key[start:min(i, len(key))])))
			start = i + 1
		}
		return true
	})
	for _, p := range parts {
		if p == "" {
			return nil
		}
	}
	return parts
}

// plainValue returns a value without its trailing comment and, when it is
// one quoted string, without the quotes.
func plainValue(v string) string {
	end := scan(v, func(int, byte) bool { return true })
	return unquote(strings.TrimSpace(v[:end]))
}

// unquote removes the quotes around a one-line basic or literal string.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}
