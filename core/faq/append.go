package faq

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// ErrDuplicateID is returned by AppendEntry when the file already has an
// entry with the new entry's id.
var ErrDuplicateID = errors.New("faq: duplicate entry id")

// AppendEntry appends e to the knowledge base file at path, atomically: the
// new file is written to a temporary file in the same directory, synced and
// renamed over the old one, so a reader (or a crash) sees either the old or
// the new file, never a partial one. The existing text, comments included, is
// kept as it is. A missing file is created. It fails with ErrDuplicateID when
// the id is taken and with a validation error when e or the result is
// invalid.
//
// AppendEntry does not lock the file: callers serialise appends to one path
// (the admin command handles one at a time).
func AppendEntry(path string, e Entry) error {
	old, mode, err := readExisting(path)
	if err != nil {
		return err
	}
	if ps := e.problems(); len(ps) > 0 {
		return fmt.Errorf("faq: append: entry %q: %s", e.ID, strings.Join(ps, "; "))
	}
	if len(old) > 0 {
		prev, err := Parse(old)
		if err != nil {
			return fmt.Errorf("faq: append to %s: %w", path, err)
		}
		if prev.has(e.ID) {
			return fmt.Errorf("%w: %q", ErrDuplicateID, e.ID)
		}
	}
	var tail bytes.Buffer
	if len(old) > 0 && !bytes.HasSuffix(old, []byte("\n")) {
		tail.WriteByte('\n')
	}
	tail.WriteByte('\n')
	if err := toml.NewEncoder(&tail).Encode(KB{Entries: []Entry{e}}); err != nil {
		return fmt.Errorf("faq: append: encode entry: %w", err)
	}
	data := append(old, tail.Bytes()...)
	if _, err := Parse(data); err != nil {
		return fmt.Errorf("faq: append to %s: %w", path, err)
	}
	return writeAtomic(path, data, mode)
}

// has reports whether kb has an entry with id.
func (kb KB) has(id string) bool {
	for _, e := range kb.Entries {
		if e.ID == id {
			return true
		}
	}
	return false
}

// readExisting returns the file's contents and mode; a missing file reads as
// empty with mode 0644.
func readExisting(path string) ([]byte, fs.FileMode, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0o644, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("faq: append: %w", err)
	}
	if fi.Size() > MaxFileBytes {
		return nil, 0, fmt.Errorf("faq: append: %s is larger than %d bytes", path, MaxFileBytes)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, fmt.Errorf("faq: append: %w", err)
	}
	return old, fi.Mode().Perm(), nil
}

// writeAtomic replaces path with data through a synced temporary file in the
// same directory, then syncs the directory so the rename is durable.
func writeAtomic(path string, data []byte, mode fs.FileMode) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("faq: append: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("faq: append: write: %w", err)
	}
	if err = tmp.Chmod(mode); err != nil {
		return fmt.Errorf("faq: append: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("faq: append: sync: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("faq: append: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("faq: append: %w", err)
	}
	if d, derr := os.Open(dir); derr == nil {
		defer d.Close()
		if err = d.Sync(); err != nil {
			return fmt.Errorf("faq: append: sync dir: %w", err)
		}
	}
	return nil
}
