package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"imbot/store/record"
	"imbot/store/storage"
)

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
	if storage.NeedsTouch(used, s.now(), s.ret.VectorRetention) {
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
	_, err := s.exec(ctx, "vector", `INSERT INTO vectors (key, used, record) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET used = EXCLUDED.used, record = EXCLUDED.record`,
		[]byte(key), now, record.EncodeVector(v, now))
	return err
}
