// Command genindex writes the snapshot of the built-in knowledge base's
// index that the daemon restores at start instead of building it (go
// generate in package knowledge): the index of faq.toml, base64 in lines of
// 76 characters.
//
// Usage: genindex FAQ_TOML OUTPUT
package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"strings"

	"imbot/core/faq"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: genindex FAQ_TOML OUTPUT")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "genindex:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	kb, err := faq.Load(in)
	if err != nil {
		return err
	}
	ix, err := faq.Build(context.Background(), kb, faq.DefaultConfig())
	if err != nil {
		return err
	}
	return os.WriteFile(out, []byte(lines(base64.StdEncoding.EncodeToString(ix.Snapshot()), 76)), 0o644)
}

// lines breaks s into lines of width characters, each ending in a newline.
func lines(s string, width int) string {
	var b strings.Builder
	for len(s) > width {
		b.WriteString(s[:width] + "\n")
		s = s[width:]
	}
	b.WriteString(s + "\n")
	return b.String()
}
