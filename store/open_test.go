package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

func TestOpenCreatesDirectoryAndFile(t *testing.T) {
	cfg := testConfig(t)
	s := openTest(t, cfg)
	if err := s.Check(context.Background()); err != nil {
		t.Fatalf("Check: %v", err)
	}
	for path, want := range map[string]os.FileMode{filepath.Dir(cfg.Path): 0o700 | os.ModeDir, cfg.Path: 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode(); got != want {
			t.Errorf("mode of %s = %v, want %v", filepath.Base(path), got, want)
		}
	}
}

func TestOpenLockedFile(t *testing.T) {
	cfg := testConfig(t)
	openTest(t, cfg)
	cfg.LockTimeout = 50 * time.Millisecond
	start := time.Now()
	s, err := Open(cfg)
	if err == nil {
		s.Close()
		t.Fatal("second Open of a held file succeeded")
	}
	if !errors.Is(err, ErrLocked) || !errors.Is(err, bolterrors.ErrTimeout) {
		t.Errorf("err = %v, want one matching ErrLocked and bbolt's ErrTimeout", err)
	}
	want := "store: " + cfg.Path + " is locked by another process (is imbot already running?)"
	if err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("Open waited %v for the lock, want about the 50ms lock_timeout", waited)
	}
}

// writeSchema sets the schema version of the file at path directly.
func writeSchema(t *testing.T, path string, v uint32) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(bucketMeta))
		if err != nil {
			return err
		}
		return b.Put([]byte(keySchema), binary.BigEndian.AppendUint32(nil, v))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	cfg := testConfig(t)
	s := openTest(t, cfg)
	if err := s.SetCursor(context.Background(), "telegram", "42"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	writeSchema(t, cfg.Path, schemaVersion+1)

	_, err := Open(cfg)
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open of a schema %d file: err = %v, want ErrSchemaTooNew", schemaVersion+1, err)
	}
	for _, want := range []string{cfg.Path, fmt.Sprintf("schema %d", schemaVersion+1), fmt.Sprintf("up to %d", schemaVersion)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %q, want it to name the file, its schema and this release's (%q)", err, want)
		}
	}
	// The refused file is untouched and its lock released.
	db, err := bolt.Open(cfg.Path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		v, err := readSchema(tx)
		if v != schemaVersion+1 {
			t.Errorf("schema after refusal = %d, want %d", v, schemaVersion+1)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenMigratesOlderSchema(t *testing.T) {
	cfg := testConfig(t)
	if err := os.MkdirAll(filepath.Dir(cfg.Path), 0o700); err != nil {
		t.Fatal(err)
	}
	writeSchema(t, cfg.Path, 0) // a file from before any bucket existed
	s := openTest(t, cfg)
	ctx := context.Background()
	if err := s.Check(ctx); err != nil {
		t.Fatalf("Check after migration: %v", err)
	}
	ok, err := s.Accept(ctx, envelope("c1", 1))
	if !ok || err != nil {
		t.Fatalf("Accept after migration = %v, %v; want true, nil", ok, err)
	}
}

func TestCheckFailsWhenClosed(t *testing.T) {
	s, err := Open(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(context.Background()); !errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		t.Errorf("Check on a closed store = %v, want ErrDatabaseNotOpen", err)
	}
}
