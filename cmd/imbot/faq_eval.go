package main

import (
	"errors"
	"io"
)

// runFAQEval is replaced by the FAQ evaluation command.
func runFAQEval(args []string, stdout, stderr io.Writer) error {
	return errors.New("faq eval: not built yet")
}
