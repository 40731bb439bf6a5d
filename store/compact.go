package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// compactTxBytes bounds what one transaction of the compacted copy holds.
const compactTxBytes = 64 << 20

// CompactResult is the file's size before and after Compact.
type CompactResult struct {
	Before, After int64
}

// Compact rewrites the file cfg names without its free pages, offline: it
// takes the file's lock (failing with ErrLocked while a daemon holds it),
// writes a compacted copy beside it with the original's owner, syncs it,
// and renames it over the original. The original stays untouched until the
// rename has succeeded, kept under the name path+".bak", which is removed
// only at the end; a failure at any step leaves the original (or that
// backup) in place.
func Compact(cfg Config) (CompactResult, error) {
	if problems := cfg.Validate(); len(problems) > 0 {
		return CompactResult{}, fmt.Errorf("store: invalid config: %s", strings.Join(problems, "; "))
	}
	if _, err := os.Stat(cfg.Path); err != nil {
		return CompactResult{}, fmt.Errorf("store: compact: %w", err)
	}
	src, err := bolt.Open(cfg.Path, 0o600, &bolt.Options{Timeout: cfg.LockTimeout,
		FreelistType: bolt.FreelistMapType, NoFreelistSync: true})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return CompactResult{}, &lockedError{path: cfg.Path, err: err}
	}
	if err != nil {
		return CompactResult{}, fmt.Errorf("store: compact: open %s: %w", cfg.Path, err)
	}
	defer src.Close()
	var res CompactResult
	if res.Before, err = fileSize(cfg.Path); err != nil {
		return res, err
	}
	tmp := cfg.Path + ".compact"
	err = writeCompacted(src, tmp)
	if err == nil {
		err = copyOwner(cfg.Path, tmp)
	}
	if err != nil {
		return res, errors.Join(err, removeIfExists(tmp))
	}
	if err := replaceKeepingBackup(cfg.Path, tmp); err != nil {
		return res, err
	}
	res.After, err = fileSize(cfg.Path)
	return res, err
}

// writeCompacted copies src's contents into a new file at path and syncs
// it to disk.
func writeCompacted(src *bolt.DB, path string) error {
	if err := removeIfExists(path); err != nil {
		return err
	}
	dst, err := bolt.Open(path, 0o600, &bolt.Options{FreelistType: bolt.FreelistMapType, NoFreelistSync: true})
	if err != nil {
		return fmt.Errorf("store: compact: create %s: %w", path, err)
	}
	if err := bolt.Compact(dst, src, compactTxBytes); err != nil {
		return errors.Join(fmt.Errorf("store: compact: %w", err), dst.Close())
	}
	if err := dst.Sync(); err != nil {
		return errors.Join(fmt.Errorf("store: compact: sync: %w", err), dst.Close())
	}
	if err := dst.Close(); err != nil {
		return fmt.Errorf("store: compact: close copy: %w", err)
	}
	return nil
}

// replaceKeepingBackup links path to path+".bak", renames tmp over path,
// syncs the directory and removes the backup.
func replaceKeepingBackup(path, tmp string) error {
	bak := path + ".bak"
	if err := removeIfExists(bak); err != nil {
		return err
	}
	if err := os.Link(path, bak); err != nil {
		return fmt.Errorf("store: compact: keep a backup: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("store: compact: replace %s (original kept as %s): %w", path, bak, err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("store: compact: %s replaced, original kept as %s: %w", path, bak, err)
	}
	return removeIfExists(bak)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// fileSize returns the size of the file at path.
func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("store: compact: %w", err)
	}
	return fi.Size(), nil
}

// removeIfExists removes path; a missing file is not an error.
func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("store: compact: %w", err)
	}
	return nil
}
