package pii

import (
	"fmt"
	"regexp"
	"strings"
)

// Pattern is an operator-configured detector, one [[safety.pii_patterns]]
// table: its name gives the placeholder kind (see Kind), its pattern is a Go
// regular expression (RE2 syntax).
type Pattern struct {
	Name    string `toml:"name"`
	Pattern string `toml:"pattern"`
}

// Kind returns the placeholder kind of a pattern name: upper case, every
// character other than a letter or digit replaced by '_'. "order_no" gives
// [ORDER_NO_1].
func Kind(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z':
			return r - 'a' + 'A'
		case 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
			return r
		}
		return '_'
	}, name)
}

// compiled is a checked Pattern.
type compiled struct {
	kind string
	re   *regexp.Regexp
}

// compile checks p: a name that starts with a letter, a kind that is not a
// built-in one, and a pattern that compiles.
func compile(p Pattern) (compiled, error) {
	kind := Kind(p.Name)
	if kind == "" || kind[0] < 'A' || kind[0] > 'Z' {
		return compiled{}, fmt.Errorf("name %q does not start with a letter", p.Name)
	}
	switch kind {
	case KindPhone, KindIDCard, KindCard, KindEmail:
		return compiled{}, fmt.Errorf("name %q is a built-in kind", p.Name)
	}
	re, err := regexp.Compile(p.Pattern)
	if err != nil {
		return compiled{}, fmt.Errorf("pattern %q: %w", p.Pattern, err)
	}
	return compiled{kind: kind, re: re}, nil
}

// Check returns every problem of the patterns, as "[i].key: problem".
func Check(patterns []Pattern) []string {
	var ps []string
	seen := map[string]int{}
	for i, p := range patterns {
		c, err := compile(p)
		if err != nil {
			key := "name"
			if strings.HasPrefix(err.Error(), "pattern") {
				key = "pattern"
			}
			ps = append(ps, fmt.Sprintf("[%d].%s: %v", i, key, err))
			continue
		}
		if j, ok := seen[c.kind]; ok {
			ps = append(ps, fmt.Sprintf("[%d].name: %q gives the same kind as [%d]", i, p.Name, j))
		}
		seen[c.kind] = i
	}
	return ps
}
