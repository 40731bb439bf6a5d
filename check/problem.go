// Package check finds what is wrong with a configuration before the daemon
// runs on it: every problem of the file at once, with its key path, line
// number and a likely fix, and live checks of the credentials and resources
// it names, each answered in one line.
package check

import (
	"cmp"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
)

// Problem is one thing wrong with a configuration file.
type Problem struct {
	// Key is the key path, e.g. "providers[0].model".
	Key string
	// Line is the key's line in the file; 0 when the file does not write it.
	Line int
	// Msg says what is wrong and, where it can, how to fix it.
	Msg string
}

// String formats the problem as "line N: key: message".
func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", p.Line, p.Key, p.Msg)
	}
	return p.Key + ": " + p.Msg
}

// Input is what Analyze needs to know about one configuration file.
type Input struct {
	// Text is the file's content.
	Text string
	// Type is the struct type the file decodes into; its toml tags are the
	// known keys.
	Type reflect.Type
	// Undecoded are the keys the decoder did not know, dotted and without
	// array indexes ("providers.api_key").
	Undecoded []string
	// Validation are the problems validation found, as "key.path: message".
	Validation []string
	// Placed are problems whose line is already known, such as the values
	// the decoder refused (see DecodeProblem).
	Placed []Problem
}

// Analyze returns every problem of the file, ordered by line: unknown keys
// with the known key they were probably meant to be, secrets written in the
// file with the *_env key they belong in, and the validation problems.
func Analyze(in Input) []Problem {
	entries := Locate(in.Text)
	placed := indexed(in.Placed, entries)
	problems := append(placed, unknownKeys(in, entries)...)
	secrets := secretsInFile(in.Undecoded, entries)
	problems = append(problems, secrets...)
	for _, v := range in.Validation {
		key, msg, found := strings.Cut(v, ": ")
		if !found {
			key, msg = "", v
		}
		p := Problem{Key: key, Line: lineOf(entries, key), Msg: msg}
		// A secret's own problem replaces validation's, which may quote it;
		// a refused value's replaces the default validation saw instead.
		if !slices.ContainsFunc(secrets, func(s Problem) bool { return s.Key == key }) &&
			!slices.ContainsFunc(placed, func(s Problem) bool { return s.Line == p.Line && p.Line > 0 }) {
			problems = append(problems, p)
		}
	}
	slices.SortStableFunc(problems, func(a, b Problem) int {
		return cmp.Compare(sortLine(a.Line), sortLine(b.Line))
	})
	return problems
}

// indexed returns the placed problems with their keys' array indexes, read
// from the entry on the same line.
func indexed(placed []Problem, entries []Entry) []Problem {
	out := slices.Clone(placed)
	for i, p := range out {
		for _, e := range entries {
			if e.Line == p.Line && stripIndexes(e.Path) == p.Key {
				out[i].Key = e.Path
			}
		}
	}
	return out
}

// sortLine puts problems without a line after those with one.
func sortLine(n int) int {
	if n == 0 {
		return int(^uint(0) >> 1)
	}
	return n
}

// lineOf returns the line of key, or of the nearest table around it.
func lineOf(entries []Entry, key string) int {
	for key != "" {
		for _, e := range entries {
			if e.Path == key {
				return e.Line
			}
		}
		i := max(strings.LastIndexAny(key, ".["), 0)
		key = key[:i]
	}
	return 0
}

// unknownKeys reports each key the decoder did not know, at every place the
// file writes it, with a suggestion.
func unknownKeys(in Input, entries []Entry) []Problem {
	var problems []Problem
	seen := map[string]bool{}
	for _, und := range in.Undecoded {
		found := false
		for _, e := range entries {
			if stripIndexes(e.Path) != und || seen[e.Path] {
				continue
			}
			found, seen[e.Path] = true, true
			problems = append(problems, Problem{Key: e.Path, Line: e.Line, Msg: unknownMsg(in.Type, und)})
		}
		if !found {
			problems = append(problems, Problem{Key: und, Msg: unknownMsg(in.Type, und)})
		}
	}
	return problems
}

// unknownMsg explains an unknown key: a secret that belongs in the
// environment, or a likely typo of a known key.
func unknownMsg(t reflect.Type, path string) string {
	segs := strings.Split(path, ".")
	name := segs[len(segs)-1]
	known, ok := knownKeys(t, segs[:len(segs)-1])
	if !ok {
		return "unknown key"
	}
	if slices.Contains(known, name+"_env") {
		return fmt.Sprintf("a secret written in the file: put the value in an environment variable "+
			"(or the env file) and name that variable in %s_env", name)
	}
	if k, ok := closest(name, known); ok {
		return fmt.Sprintf("unknown key; did you mean %s?", k)
	}
	return "unknown key"
}

var (
	envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	secretRE  = regexp.MustCompile(`^(sk-[A-Za-z0-9_-]{16,}|[0-9]{5,}:[A-Za-z0-9_-]{30,})$`)
)

// secretsInFile reports *_env keys whose value is not a variable name, and
// known keys whose value looks like an API key or a bot token. Unknown
// keys are reported by unknownKeys instead.
func secretsInFile(undecoded []string, entries []Entry) []Problem {
	var problems []Problem
	for _, e := range entries {
		name := e.Path[strings.LastIndex(e.Path, ".")+1:]
		switch {
		case e.Value == "" || slices.Contains(undecoded, stripIndexes(e.Path)):
		case strings.HasSuffix(name, "_env") && !envNameRE.MatchString(e.Value):
			problems = append(problems, Problem{Key: e.Path, Line: e.Line,
				Msg: "holds what looks like a secret, not the name of an environment variable: " +
					"put the value in the environment (or the env file) and write the variable's name here"})
		case secretRE.MatchString(e.Value):
			problems = append(problems, Problem{Key: e.Path, Line: e.Line,
				Msg: "looks like a secret written in the file: keep secrets in the environment, named by a *_env key"})
		}
	}
	return problems
}
