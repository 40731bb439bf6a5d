package postgres

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Outage log pacing: the first failure is logged at once, repeats while the
// database stays unreachable at doubling intervals up to outageLogMax.
const (
	outageLogFirst = 5 * time.Second
	outageLogMax   = 5 * time.Minute
)

// outage tracks whether the database is reachable, so that an outage is
// logged once when it starts (then rarely, with backoff) and once when it
// ends, however many queries fail meanwhile. Safe for concurrent use.
type outage struct {
	log *slog.Logger
	now func() time.Time

	mu      sync.Mutex
	since   time.Time // zero while reachable
	nextLog time.Time
	every   time.Duration
	failed  int
}

func newOutage(log *slog.Logger, now func() time.Time) *outage { return &outage{log: log, now: now} }

// down records a failure to reach the database.
func (o *outage) down(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.now()
	o.failed++
	if o.since.IsZero() {
		o.since, o.every, o.nextLog, o.failed = now, outageLogFirst, now.Add(outageLogFirst), 1
		o.log.Error("database unreachable; turns are refused until it is back, the pool reconnects on the next query",
			"err", err)
		return
	}
	if now.Before(o.nextLog) {
		return
	}
	o.log.Error("database still unreachable", "err", err, "down_for", now.Sub(o.since).Round(time.Second).String(),
		"failed_queries", o.failed)
	o.every = min(2*o.every, outageLogMax)
	o.nextLog = now.Add(o.every)
}

// up records a successful query, ending an outage.
func (o *outage) up() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.since.IsZero() {
		return
	}
	o.log.Info("database reachable again", "down_for", o.now().Sub(o.since).Round(time.Millisecond).String(),
		"failed_queries", o.failed)
	o.since = time.Time{}
}

// connectionLost reports whether err means the server could not be reached
// or dropped the connection, rather than refusing one statement.
func connectionLost(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P01..57P03: the server is
		// shutting down or not accepting connections yet.
		return pgErr.Code[:2] == "08" || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connErr) || errors.As(err, &netErr) || pgconn.Timeout(err) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}
