package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"imbot/core"
	"imbot/core/metric"
	"imbot/store/storage"
)

// *Store is a whole store backend: core.Store and the operations.
var _ storage.Backend = (*Store)(nil)

// connectTimeout bounds dialling the server, so that queries fail fast
// while it is unreachable.
const connectTimeout = 5 * time.Second

// Store is the PostgreSQL backend. It is safe for concurrent use; several
// processes (replicas) may share one database.
type Store struct {
	// Replies keeps answers and reply refs on the pending records.
	storage.Replies
	// VectorKeep names the cached vectors the sweep keeps (KeepVectors).
	storage.VectorKeep
	// ChatList edits the web chat's conversation lists.
	storage.ChatList
	pool   *pgxpool.Pool
	log    *slog.Logger
	now    func() time.Time
	ret    storage.Retention
	outage *outage
	// meter receives the metrics (WithMetrics); nil reports none.
	meter   metric.Meter
	metrics storage.Metrics
	// replica is the id of the cluster replica the store records turns
	// for, behind the fence (fence.go); nil on one node.
	replica atomic.Pointer[string]
}

// Option configures Open.
type Option func(*Store)

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(s *Store) { s.log = l } }

// WithClock replaces time.Now for expiry and activity times (tests).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithRetention sets the dedup and reply-index lifetimes and the retention
// the sweep applies (default: DefaultRetention).
func WithRetention(r storage.Retention) Option { return func(s *Store) { s.ret = r } }

// DefaultRetention is the [store] section's defaults.
func DefaultRetention() storage.Retention {
	return storage.Retention{DedupTTL: 48 * time.Hour, BotMessageTTL: 30 * 24 * time.Hour,
		MaxMessages: 1000, VectorRetention: 30 * 24 * time.Hour}
}

// Open connects to the database named by dsn, applies the migrations it
// lacks and returns the store. The connection is checked before Open
// returns. It starts no goroutine of its own (the pool keeps its
// connections healthy in the background).
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	pool, err := connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	s := newStore(pool, opts)
	ms, err := Migrations()
	if err == nil {
		_, err = Migrate(ctx, s.pool, ms, s.log)
	}
	if err != nil {
		s.pool.Close()
		return nil, err
	}
	if s.meter != nil {
		reportPool(s.meter, s.pool)
	}
	return s, nil
}

// connect opens a pool for dsn and checks that the server answers.
func connect(ctx context.Context, dsn string) (*pgxpool.Pool, error) {
	if dsn == "" {
		return nil, errors.New("postgres: empty DSN")
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: bad DSN: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	return pool, nil
}

// newStore applies opts to a store over pool.
func newStore(pool *pgxpool.Pool, opts []Option) *Store {
	s := &Store{pool: pool, log: slog.New(slog.DiscardHandler), now: time.Now, ret: DefaultRetention()}
	for _, o := range opts {
		o(s)
	}
	s.outage = newOutage(s.log, time.Now)
	s.metrics = storage.NewMetrics(s.meter)
	s.ChatList = storage.NewChatList(s.rewriteChat, s.now, s.log)
	s.Replies = storage.NewReplies("postgres", s.pendingRecord, s.updatePending)
	return s
}

// Check reports whether the database answers (for /readyz).
func (s *Store) Check(ctx context.Context) error {
	return s.result("check", s.pool.Ping(ctx))
}

// Close closes every connection.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// result wraps err with op, and records the outcome in the outage tracker:
// an error reaching the server starts (or continues) an outage; success
// ends it.
func (s *Store) result(op string, err error) error {
	if err == nil {
		s.outage.up()
		return nil
	}
	if connectionLost(err) {
		s.outage.down(err)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// tx runs fn in a transaction, committed when fn returns nil, as a write
// of op (see write).
func (s *Store) tx(ctx context.Context, op string, fn func(pgx.Tx) error) error {
	return s.write(op, func() error { return pgx.BeginFunc(ctx, s.pool, fn) })
}

// exec runs one statement as a write of op (see write) and returns its
// command tag.
func (s *Store) exec(ctx context.Context, op, sql string, args ...any) (pgconn.CommandTag, error) {
	var tag pgconn.CommandTag
	err := s.write(op, func() error {
		var err error
		tag, err = s.pool.Exec(ctx, sql, args...)
		return err
	})
	return tag, err
}

// write runs commit, a write of op, records how long it took in
// imbot_store_write_seconds and, when it failed, counts it in
// imbot_store_write_errors_total (a transaction rolled back with
// errDuplicate or core.ErrTurnTakenOver wrote nothing and is no failure),
// and returns its error as result does.
func (s *Store) write(op string, commit func() error) error {
	start := time.Now()
	err := commit()
	s.metrics.ObserveWrite(op, time.Since(start))
	if !errors.Is(err, errDuplicate) && !errors.Is(err, core.ErrTurnTakenOver) {
		s.metrics.Failed(op, err)
	}
	return s.result(op, err)
}
