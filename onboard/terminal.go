package onboard

import (
	"os"

	"golang.org/x/term"
)

// TerminalSecret returns a secret reader that does not echo when f is a
// terminal, and nil when it is not (secrets are then read as lines, as
// every other answer).
func TerminalSecret(f *os.File) func() (string, error) {
	fd := int(f.Fd())
	if !term.IsTerminal(fd) {
		return nil
	}
	return func() (string, error) {
		b, err := term.ReadPassword(fd)
		return string(b), err
	}
}
