package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"imbot/store/storetest"
)

// diskFull is a switchable write fault: while on, every write fails with
// ENOSPC as bbolt's would on a full disk.
type diskFull struct{ on atomic.Bool }

func (f *diskFull) fault(op string) error {
	if f.on.Load() {
		return fmt.Errorf("write %s: %w", op, syscall.ENOSPC)
	}
	return nil
}

func TestCheckReportsFullDiskAndRecovers(t *testing.T) {
	var full diskFull
	clock := storetest.NewClock()
	cfg := testConfig(t)
	cfg.MinFreeMB = 0
	s := openTest(t, cfg, WithWriteFault(full.fault), WithClock(clock.Now))
	ctx := context.Background()

	full.on.Store(true)
	if _, err := s.Accept(ctx, envelope("c", 1)); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Accept on a full disk = %v, want ENOSPC", err)
	}
	err := s.Check(ctx)
	if err == nil || !strings.Contains(err.Error(), "disk full (ENOSPC)") || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Check after a failed write = %v, want it to name ENOSPC", err)
	}
	if h := s.Health(); !h.LastWriteErrAt.Equal(clock.Now()) {
		t.Errorf("LastWriteErrAt = %v, want %v", h.LastWriteErrAt, clock.Now())
	}

	full.on.Store(false) // space freed: the next write succeeds without a restart
	if ok, err := s.Accept(ctx, envelope("c", 1)); !ok || err != nil {
		t.Fatalf("Accept after space was freed = %v, %v; want true, nil", ok, err)
	}
	if err := s.Check(ctx); err != nil {
		t.Errorf("Check after a successful write = %v, want nil", err)
	}
}

func TestCheckReportsLowFreeSpace(t *testing.T) {
	clock := storetest.NewClock()
	cfg := testConfig(t)
	cfg.MinFreeMB = 1 << 40 // more than any test machine has
	s := openTest(t, cfg, WithClock(clock.Now))
	var calls atomic.Int32
	free := uint64(50 << 20)
	s.health.freeFunc = func(string) (uint64, error) { calls.Add(1); return free, nil }

	err := s.Check(context.Background())
	if !errors.Is(err, ErrLowSpace) || !strings.Contains(err.Error(), "50 MB free") {
		t.Fatalf("Check = %v, want ErrLowSpace naming 50 MB free", err)
	}
	s.Check(context.Background())
	if n := calls.Load(); n != 1 {
		t.Errorf("free space read %d times within %v, want once", n, freeSpaceEvery)
	}
	clock.Advance(freeSpaceEvery)
	s.Check(context.Background())
	if n := calls.Load(); n != 2 {
		t.Errorf("free space read %d times after %v, want twice", n, freeSpaceEvery)
	}
}

func TestFreeSpaceOfTheStoreFilesystem(t *testing.T) {
	cfg := testConfig(t)
	openTest(t, cfg)
	free, err := freeSpace(cfg.Path)
	if err != nil || free == 0 {
		t.Errorf("freeSpace = %d, %v; want some free bytes", free, err)
	}
}

func TestSweepOnAFullDiskIsAWriteFailure(t *testing.T) {
	var full diskFull
	clock := storetest.NewClock()
	cfg := testConfig(t)
	cfg.MinFreeMB = 0
	s := openTest(t, cfg, WithWriteFault(full.fault), WithClock(clock.Now))
	ctx := context.Background()
	mustAccept(t, s, envelope("c", 1))
	if err := s.Drop(ctx, envelope("c", 1)); err != nil {
		t.Fatal(err)
	}
	clock.Advance(cfg.DedupTTL) // the marks expire: the sweep has work

	full.on.Store(true)
	if _, err := s.Sweep(ctx, clock.Now()); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Sweep on a full disk = %v, want ENOSPC", err)
	}
	if err := s.Check(ctx); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("Check after a failed sweep = %v, want ENOSPC", err)
	}
	full.on.Store(false)
	if st, err := s.Sweep(ctx, clock.Now()); err != nil || st.DedupMarks != 2 {
		t.Fatalf("Sweep after space was freed = %+v, %v; want 2 marks removed", st, err)
	}
	if err := s.Check(ctx); err != nil {
		t.Errorf("Check after a successful sweep = %v", err)
	}
}
