// Package envfile reads and writes the environment file that holds the
// daemon's secrets: one NAME=value a line, as systemd's EnvironmentFile=
// reads it, with # comments, blank lines and optional quotes.
package envfile

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// nameRE is the form of a variable name.
var nameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// plainRE is a value written without quotes.
var plainRE = regexp.MustCompile(`^[A-Za-z0-9_.,:/+=@%-]*$`)

// ValidName reports whether name can be an environment variable's name.
func ValidName(name string) bool { return nameRE.MatchString(name) }

// Parse reads an environment file. A later line wins over an earlier one.
// An error names the first bad line.
func Parse(text string) (map[string]string, error) {
	vars := map[string]string{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		name, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		name = strings.TrimSpace(name)
		if !ok || !ValidName(name) {
			return nil, fmt.Errorf("line %d: want NAME=value", i+1)
		}
		v, err := unquote(strings.TrimSpace(value))
		if err != nil {
			return nil, fmt.Errorf("line %d: %s: %w", i+1, name, err)
		}
		vars[name] = v
	}
	return vars, nil
}

// unquote returns a value without its quotes; a double-quoted value may
// escape " and \ with a backslash.
func unquote(v string) (string, error) {
	if v == "" || (v[0] != '"' && v[0] != '\'') {
		return v, nil
	}
	q := v[0]
	if len(v) < 2 || v[len(v)-1] != q {
		return "", fmt.Errorf("unterminated %c quote", q)
	}
	inner := v[1 : len(v)-1]
	if q == '\'' {
		return inner, nil
	}
	var b strings.Builder
	for i := 0; i < len(inner); i++ {
		if inner[i] == '\\' && i+1 < len(inner) {
			i++
		} else if inner[i] == '"' {
			return "", fmt.Errorf("unescaped \" inside quotes")
		}
		b.WriteByte(inner[i])
	}
	return b.String(), nil
}

// Format writes vars as an environment file, one NAME=value a line sorted
// by name, quoting a value only when it needs it. It refuses a bad name and
// a value with a line break.
func Format(vars map[string]string) (string, error) {
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		v := vars[n]
		switch {
		case !ValidName(n):
			return "", fmt.Errorf("%q is not an environment variable name", n)
		case strings.ContainsAny(v, "\r\n"):
			return "", fmt.Errorf("%s: a value cannot span lines", n)
		case !plainRE.MatchString(v):
			v = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
		}
		fmt.Fprintf(&b, "%s=%s\n", n, v)
	}
	return b.String(), nil
}
