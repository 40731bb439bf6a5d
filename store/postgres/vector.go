package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"imbot/store/record"
	"imbot/store/storage"
)

// touchFraction: a cached vector read when its last use is older than
// vector_retention divided by this gets a new last-use time, so that a
// vector in use is never swept and a read rarely writes.
const touchFraction = 4

// Vector returns the cached embedding under key and whether there was one.
// A hit whose last use is long past (a quarter of vector_retention) records
// the use, which keeps the vector from the sweep.
func (s *Store) Vector(ctx context.Context, key string) ([]float32, bool, error) {
	if err := storage.CheckKey("vector key", key); err != nil {
		return nil, false, fmt.Errorf("postgres: vector: %w", err)
	}
	var rec []byte
	err := s.pool.QueryRow(ctx, `SELECT record FROM vectors WHERE key = $1`, []byte(key)).Scan(&rec)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, s.result("vector", nil)
	}
	if err != nil {
		return nil, false, s.result("vector", err)
	}
	v, used, err := record.DecodeVector(rec)
	if err != nil {
		return nil, false, fmt.Errorf("postgres: vector: %w", err)
	}
	if r := s.ret.VectorRetention; r > 0 && s.now().Sub(used) > r/touchFraction {
		if err := s.PutVector(ctx, key, v); err != nil {
			s.log.Warn("record a cached vector's use", "err", err)
		}
	}
	return v, true, nil
}

// PutVector caches v under key, used now, replacing any earlier vector.
func (s *Store) PutVector(ctx context.Context, key string, v []float32) error {
	if err := storage.CheckVector(key, v); err != nil {
		return fmt.Errorf("postgres: put vector: %w", err)
	}
	now := s.now()
	_, err := s.pool.Exec(ctx, `INSERT INTO vectors (key, used, record) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET used = EXCLUDED.used, record = EXCLUDED.record`,
		[]byte(key), now, record.EncodeVector(v, now))
	return s.result("put vector", err)
}

// KeepVectors tells the sweep which cached vectors to keep however long
// ago they were used: those whose key keep reports (the knowledge base in
// use). Until it is called, only the age counts. keep must be safe for
// concurrent use.
func (s *Store) KeepVectors(keep func(key string) bool) { s.vectorKeep.Store(&keep) }

// vectorKeeper returns the predicate KeepVectors set, or one keeping
// nothing.
func (s *Store) vectorKeeper() func(string) bool {
	if p := s.vectorKeep.Load(); p != nil {
		return *p
	}
	return func(string) bool { return false }
}
