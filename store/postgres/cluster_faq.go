package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"imbot/core/faq"
)

// uniqueViolation is PostgreSQL's SQLSTATE for a duplicate key.
const uniqueViolation = "23505"

// AddFAQEntry keeps e, added with /faq add, where every replica reads it;
// it fails with faq.ErrDuplicateID when an added entry has e's id.
func (c *Cluster) AddFAQEntry(ctx context.Context, e faq.Entry) error {
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("postgres: add faq entry: %w", err)
	}
	_, err = c.pool.Exec(ctx, `INSERT INTO faq_entries (id, added, entry) VALUES ($1, now(), $2)`, e.ID, data)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == uniqueViolation {
		return fmt.Errorf("%w: %q", faq.ErrDuplicateID, e.ID)
	}
	if err != nil {
		return fmt.Errorf("postgres: add faq entry: %w", err)
	}
	return nil
}

// FAQEntries returns the entries added with AddFAQEntry, oldest first.
func (c *Cluster) FAQEntries(ctx context.Context) ([]faq.Entry, error) {
	rows, err := c.pool.Query(ctx, `SELECT entry FROM faq_entries ORDER BY added, id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: faq entries: %w", err)
	}
	entries, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (faq.Entry, error) {
		var e faq.Entry
		var data []byte
		if err := row.Scan(&data); err != nil {
			return e, err
		}
		return e, json.Unmarshal(data, &e)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: faq entries: %w", err)
	}
	return entries, nil
}
