package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// eachRecord runs query, whose rows are a key and an encoded record, and
// calls keep with each row's key and decoded record; a record decode cannot
// read is logged as an unreadable what and skipped. op names the call in
// errors.
func eachRecord[T any](ctx context.Context, s *Store, op, what string, decode func([]byte) (T, error),
	keep func(key []byte, v T), query string, args ...any) error {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return s.result(op, err)
	}
	var key, rec []byte
	_, err = pgx.ForEachRow(rows, []any{&key, &rec}, func() error {
		v, err := decode(rec)
		if err != nil {
			s.log.Warn("skipping unreadable "+what, "key", fmt.Sprintf("%q", key), "err", err)
			return nil
		}
		keep(key, v)
		return nil
	})
	return s.result(op, err)
}
