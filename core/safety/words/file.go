package words

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of a words file and of a word.
const (
	MaxFileBytes = 4 << 20 // a words file larger than this is refused
	MaxWordRunes = 64      // a word or phrase longer than this is refused
)

// List is a named list of sensitive words. Hits are reported with the name,
// so a metric can count them by list.
type List struct {
	Name  string
	Words []string
}

// LoadFile reads a words file; the list is named after the file, without
// its directory and extension.
func LoadFile(path string) (List, error) {
	f, err := os.Open(path)
	if err != nil {
		return List{}, fmt.Errorf("words: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return List{}, fmt.Errorf("words: read %s: %w", path, err)
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	l, err := Parse(name, data)
	if err != nil {
		return List{}, fmt.Errorf("words: %s: %w", path, err)
	}
	return l, nil
}

// ErrTooLarge is returned for a words file above MaxFileBytes.
var ErrTooLarge = errors.New("file is larger than 4 MiB")

// Parse reads a words file's content: UTF-8, one word or phrase per line,
// surrounding white space trimmed, blank lines and lines starting with '#'
// ignored. Errors name the line.
func Parse(name string, data []byte) (List, error) {
	if len(data) > MaxFileBytes {
		return List{}, ErrTooLarge
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	l := List{Name: name}
	for n := 1; len(data) > 0; n++ {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		data = rest
		w := strings.TrimSpace(string(line))
		if w == "" || strings.HasPrefix(w, "#") {
			continue
		}
		if err := checkWord(w); err != nil {
			return List{}, fmt.Errorf("line %d: %w", n, err)
		}
		l.Words = append(l.Words, w)
	}
	return l, nil
}

// checkWord reports why w cannot be a word.
func checkWord(w string) error {
	if !utf8.ValidString(w) {
		return errors.New("not valid UTF-8")
	}
	if n := utf8.RuneCountInString(w); n > MaxWordRunes {
		return fmt.Errorf("%d characters, more than %d", n, MaxWordRunes)
	}
	for _, r := range w {
		if unicode.IsControl(r) {
			return fmt.Errorf("control character %U", r)
		}
	}
	return nil
}
