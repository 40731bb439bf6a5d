package pii

import "strings"

// scanEmails finds e-mail addresses: a local part of letters, digits and
// ._%+- then '@' then a domain of dot-separated labels whose last label is
// at least two letters. A trailing dot or dash (end of a sentence) is left
// out.
func scanEmails(text string, out []match) []match {
	next := 0 // no address may start before the end of the last one
	for off := 0; ; {
		a := strings.IndexByte(text[off:], '@')
		if a < 0 {
			return out
		}
		a += off
		off = a + 1
		start := a
		for start > next && isLocal(text[start-1]) {
			start--
		}
		for start < a && text[start] == '.' {
			start++
		}
		end := a + 1
		for end < len(text) && isDomain(text[end]) {
			end++
		}
		for end > a+1 && (text[end-1] == '.' || text[end-1] == '-') {
			end--
		}
		if start < a && validDomain(text[a+1:end]) {
			out = append(out, match{start: start, end: end, kind: KindEmail})
			next, off = end, end
		}
	}
}

func isLocal(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func isDomain(c byte) bool { return isAlnum(c) || c == '.' || c == '-' }

// validDomain reports whether d has at least two non-empty labels and a
// last label of two or more letters.
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" {
			return false
		}
	}
	tld := labels[len(labels)-1]
	if len(tld) < 2 {
		return false
	}
	for i := range len(tld) {
		if isDigit(tld[i]) || tld[i] == '-' {
			return false
		}
	}
	return true
}
