package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"imbot/core/metric"
	"imbot/store/storage"
)

// *Store is a whole store backend: core.Store and the operations.
var _ storage.Backend = (*Store)(nil)

// ErrLocked matches (errors.Is) the error Open returns when another process
// (or another Open in this one) holds the file.
var ErrLocked = errors.New("store: database is locked")

// ErrSchemaTooNew matches (errors.Is) the error Open returns for a file
// written by a newer release, which this one must not modify.
var ErrSchemaTooNew = errors.New("store: schema is newer than this release")

// defaultMaxBatchSize bounds the writes one group commit carries, measured
// with BenchmarkAcceptCompleteTuning (see docs/store.md).
const defaultMaxBatchSize = 1000

// Store is the bbolt-backed state of one imbot process. All methods are safe
// for concurrent use; Close must be called once, after every other call has
// returned.
type Store struct {
	db      *bolt.DB
	cfg     Config
	log     *slog.Logger
	now     func() time.Time
	metrics storeMetrics
	health  *health
	fault   func(op string) error
	// group shares write transactions; nil uses bbolt's DB.Batch (for
	// the tuning benchmarks).
	group *groupCommit
	// vectorKeep names the cached vectors the sweep keeps (KeepVectors).
	vectorKeep atomic.Pointer[func(key string) bool]
}

// Option configures Open.
type Option func(*options)

type options struct {
	logger   *slog.Logger
	clock    func() time.Time
	registry metric.Meter
	tuning   tuning
	fault    func(op string) error
}

// tuning holds the bbolt knobs; the defaults are measured, not guessed.
type tuning struct {
	// timerBatch uses bbolt's DB.Batch (commit after maxBatchDelay or at
	// maxBatchSize writes) instead of the group commit.
	timerBatch     bool
	maxBatchDelay  time.Duration
	maxBatchSize   int
	freelist       bolt.FreelistType
	noFreelistSync bool
}

// WithLogger sets the logger; the default discards.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithClock sets the clock used for dedup expiry and conversation activity;
// the default is time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.clock = now } }

// WithMetrics reports the store's metrics to r.
func WithMetrics(r metric.Meter) Option { return func(o *options) { o.registry = r } }

// WithWriteFault makes every write first call fault with its op (accept,
// complete, …, sweep) and fail with the error it returns, without touching
// the file: a way to test how callers handle a full disk. A nil error writes
// normally.
func WithWriteFault(fault func(op string) error) Option { return func(o *options) { o.fault = fault } }

// Open validates cfg, creates the file and its directories when missing,
// takes the file lock (waiting at most cfg.LockTimeout), and brings the
// schema up to date. It starts no goroutine.
func Open(cfg Config, opts ...Option) (*Store, error) {
	if problems := cfg.Validate(); len(problems) > 0 {
		return nil, fmt.Errorf("store: invalid config: %s", strings.Join(problems, "; "))
	}
	o := options{
		clock: time.Now,
		tuning: tuning{
			maxBatchSize:   defaultMaxBatchSize,
			freelist:       bolt.FreelistMapType,
			noFreelistSync: true,
		},
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Path), 0o700); err != nil {
		return nil, fmt.Errorf("store: create directory: %w", err)
	}
	db, err := bolt.Open(cfg.Path, 0o600, &bolt.Options{
		Timeout:        cfg.LockTimeout,
		FreelistType:   o.tuning.freelist,
		NoFreelistSync: o.tuning.noFreelistSync,
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, &lockedError{path: cfg.Path, err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", cfg.Path, err)
	}
	db.MaxBatchDelay = o.tuning.maxBatchDelay
	db.MaxBatchSize = o.tuning.maxBatchSize
	s := &Store{db: db, cfg: cfg, log: o.logger, now: o.clock, metrics: newStoreMetrics(o.registry),
		health: &health{path: cfg.Path, freeFunc: freeSpace}, fault: o.fault}
	if !o.tuning.timerBatch {
		s.group = &groupCommit{db: db, max: o.tuning.maxBatchSize}
	}
	if err := s.migrate(); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return s, nil
}

// Close releases the file. It waits for running transactions to finish.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Health returns the store's write health: the last write error (until a
// write succeeds again) and the free space on the file's filesystem, read at
// most every few seconds.
func (s *Store) Health() Health { return s.health.snapshot(s.now()) }

// Check reports whether the store can serve reads and take writes (for
// /readyz): it fails while the last write failed (naming ENOSPC as a full
// disk) or while free space is under min_free_mb (ErrLowSpace).
func (s *Store) Check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: check: %w", err)
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		v, err := readSchema(tx)
		if err == nil && v != schemaVersion {
			err = fmt.Errorf("schema version %d, want %d", v, schemaVersion)
		}
		return err
	})
	if err == nil {
		err = s.Health().Err(uint64(s.cfg.MinFreeMB) << 20)
	}
	if err != nil {
		return fmt.Errorf("store: check: %w", err)
	}
	return nil
}

// lockedError is what Open returns when the file lock is held elsewhere.
type lockedError struct {
	path string
	err  error
}

func (e *lockedError) Error() string {
	return "store: " + e.path + " is locked by another process (is imbot already running?)"
}

func (e *lockedError) Unwrap() []error { return []error{ErrLocked, e.err} }

// update runs fn in a write transaction shared with concurrent callers
// (the group commit). fn may run more than once and must only touch the tx and
// variables it resets itself. ctx is checked before the write is queued;
// once queued the write completes.
func (s *Store) update(ctx context.Context, op string, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	start := time.Now()
	err := s.write(op, func() error { return s.batch(fn) })
	s.metrics.observeWrite(op, time.Since(start))
	if err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	return nil
}

// batch runs fn in a shared write transaction.
func (s *Store) batch(fn func(*bolt.Tx) error) error {
	if s.group == nil {
		return s.db.Batch(fn)
	}
	return s.group.do(fn)
}

// write runs commit, a write transaction, unless the write fault fails it
// first, and records the outcome in the write health and, when it failed,
// in imbot_store_write_errors_total (a transaction rolled back with
// errUnchanged wrote nothing and counts as neither).
func (s *Store) write(op string, commit func() error) error {
	var err error
	if s.fault != nil {
		err = s.fault(op)
	}
	if err == nil {
		err = commit()
	}
	if !errors.Is(err, errUnchanged) {
		s.health.wrote(err, s.now())
		s.metrics.failed(op, err)
	}
	return err
}

// view runs fn in a read transaction after checking ctx.
func (s *Store) view(ctx context.Context, op string, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	if err := s.db.View(fn); err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	return nil
}
