package store

import (
	"errors"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Info describes a store file as Inspect found it.
type Info struct {
	// Exists is false when the file has not been created yet.
	Exists bool
	// Size is the file's size in bytes.
	Size int64
	// Held says another process (the running daemon) holds the file.
	Held bool
	// Schema is the file's schema version; 0 when held or not created.
	Schema uint32
}

// Inspect looks at the store file at path without changing it: it never
// creates the file, and opens an existing one read-only, waiting at most
// timeout for the lock. A file the daemon holds is reported as Held, not as
// an error.
func Inspect(path string, timeout time.Duration) (Info, error) {
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return Info{}, nil
	}
	if err != nil {
		return Info{}, fmt.Errorf("store: %w", err)
	}
	info := Info{Exists: true, Size: st.Size()}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: timeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		info.Held = true
		return info, nil
	}
	if err != nil {
		return info, fmt.Errorf("store: open %s read-only: %w", path, err)
	}
	err = db.View(func(tx *bolt.Tx) error {
		v, rerr := readSchema(tx)
		info.Schema = v
		return rerr
	})
	return info, errors.Join(err, db.Close())
}
