package store

import (
	"path/filepath"
	"testing"
	"time"
)

func TestInspect(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.db")
	if info, err := Inspect(missing, 50*time.Millisecond); err != nil || info.Exists {
		t.Fatalf("missing file: info %+v, err %v", info, err)
	}
	cfg := testConfig(t)
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	held, err := Inspect(cfg.Path, 50*time.Millisecond)
	if err != nil || !held.Exists || !held.Held || held.Size == 0 {
		t.Fatalf("while open: info %+v, err %v; want an existing held file", held, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	free, err := Inspect(cfg.Path, 50*time.Millisecond)
	if err != nil || free.Held || free.Schema != schemaVersion || free.Size != held.Size {
		t.Fatalf("after close: info %+v, err %v; want schema %d, size %d", free, err, schemaVersion, held.Size)
	}
}
