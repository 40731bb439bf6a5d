package onboard

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// errInputEnded is returned when the answers end before the questions do.
var errInputEnded = errors.New("input ended")

// asker asks questions on out and reads answers from in, one a line.
type asker struct {
	in     *bufio.Reader
	out    io.Writer
	lang   Lang
	secret func() (string, error) // reads a secret without echo; nil reads a line
}

// say prints one text.
func (a *asker) say(m msg, args ...any) { fmt.Fprintln(a.out, text(a.lang, m, args...)) }

// line reads one answer, trimmed.
func (a *asker) line() (string, error) {
	s, err := a.in.ReadString('\n')
	if err != nil && (s == "" || !errors.Is(err, io.EOF)) {
		if errors.Is(err, io.EOF) {
			return "", errInputEnded
		}
		return "", err
	}
	return strings.TrimSpace(s), nil
}

// ask asks m until the answer (def when empty) passes valid, which returns
// the text explaining a bad answer or "" for a good one.
func (a *asker) ask(m msg, def string, valid func(string) string) (string, error) {
	prompt := text(a.lang, m)
	if def != "" {
		prompt += " [" + def + "]"
	}
	return a.prompt(prompt, def, valid)
}

// prompt shows prompt until the answer (def when empty) passes valid.
func (a *asker) prompt(prompt, def string, valid func(string) string) (string, error) {
	for {
		fmt.Fprint(a.out, prompt+": ")
		s, err := a.line()
		if err != nil {
			return "", err
		}
		if s == "" {
			s = def
		}
		problem := valid(s)
		if problem == "" {
			return s, nil
		}
		fmt.Fprintln(a.out, "  ✗ "+problem)
	}
}

// askSecret asks m for a secret, never echoing it; optional accepts an
// empty answer.
func (a *asker) askSecret(m msg, optional bool, valid func(string) string, args ...any) (string, error) {
	for {
		fmt.Fprint(a.out, text(a.lang, m, args...)+" "+text(a.lang, msgSecretHidden)+": ")
		s, err := a.readSecret()
		fmt.Fprintln(a.out)
		if err != nil {
			return "", err
		}
		switch {
		case s == "" && optional:
			return "", nil
		case s == "":
			fmt.Fprintln(a.out, "  ✗ "+text(a.lang, msgRequired))
		case valid(s) != "":
			fmt.Fprintln(a.out, "  ✗ "+valid(s))
		default:
			return s, nil
		}
	}
}

// readSecret reads a secret from the terminal, or a line when piped.
func (a *asker) readSecret() (string, error) {
	if a.secret == nil {
		return a.line()
	}
	s, err := a.secret()
	return strings.TrimSpace(s), err
}

// yes asks a yes/no question; an empty answer is def.
func (a *asker) yes(m msg, def bool, args ...any) (bool, error) {
	hint := " [y/N]"
	if def {
		hint = " [Y/n]"
	}
	s, err := a.prompt(text(a.lang, m, args...)+hint, "", func(s string) string {
		if _, ok := parseYes(s); !ok && s != "" {
			return text(a.lang, msgYesNo)
		}
		return ""
	})
	if err != nil || s == "" {
		return def, err
	}
	v, _ := parseYes(s)
	return v, nil
}

// parseYes reads y/yes/是 and n/no/否.
func parseYes(s string) (v, ok bool) {
	switch strings.ToLower(s) {
	case "y", "yes", "是":
		return true, true
	case "n", "no", "否":
		return false, true
	}
	return false, false
}

// choose asks for one of n numbered choices and returns its index.
func (a *asker) choose(m msg, n, def int) (int, error) {
	s, err := a.ask(m, strconv.Itoa(def+1), func(s string) string {
		if i, err := strconv.Atoi(s); err != nil || i < 1 || i > n {
			return text(a.lang, msgBadChoice, "n", n)
		}
		return ""
	})
	if err != nil {
		return 0, err
	}
	i, _ := strconv.Atoi(s)
	return i - 1, nil
}
