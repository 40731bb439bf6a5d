package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"imbot/core"
	"imbot/store/record"
)

// Cluster is one replica's core.Coordinator on a database shared by
// several replicas; it also elects leaders (Lead) and shares knowledge
// base changes (AnnounceKnowledge, FAQEntries). Every lease ends by the
// database's clock. One process at a time runs under a replica id: its
// presence (presence.go) is renewed with its leases. Its methods are safe
// for concurrent use.
type Cluster struct {
	pool      *pgxpool.Pool
	id        string
	me        process
	lease     time.Duration
	claimWait time.Duration
	log       *slog.Logger
	listen    *listener
}

var (
	_ core.Coordinator = (*Cluster)(nil)
	_ core.Leadership  = (*Cluster)(nil)
)

// ClusterOption configures OpenCluster.
type ClusterOption func(*Cluster)

// WithClusterLogger sets the coordinator's logger (default: the store's).
func WithClusterLogger(l *slog.Logger) ClusterOption { return func(c *Cluster) { c.log = l } }

// OpenCluster registers replica id, whose leases last lease, on s's
// database and starts listening for the other replicas' signals on a
// connection of its own, which reconnects with backoff when it drops.
// Close stops it. When another live process holds id, it waits for that
// process's presence to expire (see WithClaimWait) and, if it does not,
// returns an error matching core.ErrReplicaIDInUse that names the process.
// From then on s records turns for replica id, behind the fence (see
// fence.go): a turn another replica took over is that replica's to record.
func OpenCluster(ctx context.Context, s *Store, id string, lease time.Duration, opts ...ClusterOption) (*Cluster, error) {
	if id == "" || lease <= 0 {
		return nil, errors.New("postgres: cluster: a replica id and a positive lease are needed")
	}
	c := &Cluster{pool: s.pool, id: id, me: thisProcess(), lease: lease, claimWait: lease + lease/renewsPerLease, log: s.log}
	for _, o := range opts {
		o(c)
	}
	if err := c.join(ctx); err != nil {
		return nil, err
	}
	c.listen = startListener(s.pool.Config().ConnConfig, id, c.log)
	s.fenceBy(id)
	return c, nil
}

// Close stops listening and gives up this process's presence, so that a
// process starting with its replica id need not wait for it to expire; the
// leases stay until Resign or their expiry.
func (c *Cluster) Close() {
	c.listen.stop()
	ctx, cancel := context.WithTimeout(context.Background(), c.lease)
	defer cancel()
	if _, err := c.leave(ctx, c.pool); err != nil {
		c.log.Warn("give up replica id; it expires by itself", "err", err)
	}
}

// ReplicaID returns the id this replica's leases carry.
func (c *Cluster) ReplicaID() string { return c.id }

// Lease returns how long a lease lasts without renewal.
func (c *Cluster) Lease() time.Duration { return c.lease }

// Handovers signals the conversations other replicas handed over to this
// one.
func (c *Cluster) Handovers() <-chan core.ConversationKey { return c.listen.handovers }

// leaseMillis is the lease as the $n::bigint the queries add to now().
func (c *Cluster) leaseMillis() int64 { return c.lease.Milliseconds() }

// convKey is conv as the conversation column stores it.
func convKey(conv core.ConversationKey) []byte { return []byte(conv.String()) }

// wrap prefixes err, when not nil, with what failed.
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("postgres: cluster: %s: %w", what, err)
}

// Recover leases to this replica the conversations with pending turns that
// it owned before a restart or whose holder died, and returns their turns.
func (c *Cluster) Recover(ctx context.Context) ([]core.Envelope, error) {
	convs, err := c.candidates(ctx, true, 0)
	if err != nil {
		return nil, err
	}
	return c.claimAll(ctx, convs, true)
}

// Takeover leases to this replica up to max conversations whose holder
// died, and returns their pending turns.
func (c *Cluster) Takeover(ctx context.Context, max int) ([]core.Envelope, error) {
	convs, err := c.candidates(ctx, false, max)
	if err != nil {
		return nil, err
	}
	return c.claimAll(ctx, convs, false)
}

// candidates lists, oldest turn first, the conversations no live replica
// holds with turns no live replica owns: turns whose lease expired, and
// turns never claimed that were accepted more than a lease ago (the
// acceptor claims its own at once). With mine it adds those this replica's
// id owned; limit 0 means no limit.
func (c *Cluster) candidates(ctx context.Context, mine bool, limit int) ([][]byte, error) {
	rows, err := c.pool.Query(ctx, `
		SELECT p.conversation FROM pending_turns p
		WHERE (p.lease_until < now()
			OR (p.owner IS NULL AND p.accepted_at < now() - $2::bigint * interval '1 millisecond')
			OR ($3 AND p.owner = $1))
		  AND NOT EXISTS (SELECT 1 FROM conversation_leases l
			WHERE l.conversation = p.conversation AND l.lease_until >= now() AND l.owner <> $1)
		GROUP BY p.conversation ORDER BY min(p.seq)
		LIMIT NULLIF($4, 0)`, c.id, c.leaseMillis(), mine, limit)
	if err != nil {
		return nil, wrap("find turns to take over", err)
	}
	convs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	return convs, wrap("find turns to take over", err)
}

// claimAll leases each conversation of convs it can get and claims its
// turns.
func (c *Cluster) claimAll(ctx context.Context, convs [][]byte, mine bool) ([]core.Envelope, error) {
	var out []core.Envelope
	for _, conv := range convs {
		owner, err := c.holdConv(ctx, conv)
		if err != nil {
			return out, err
		}
		if owner != c.id {
			continue
		}
		turns, err := c.claim(ctx, c.pool, conv, mine)
		if err != nil {
			return out, err
		}
		out = append(out, turns...)
	}
	return out, nil
}

// Accepted leases env's conversation to this replica and claims its
// unclaimed turns. When another replica holds it, env is handed over to
// that replica, or, pinned, stays this replica's until it can lease the
// conversation (Adopt).
func (c *Cluster) Accepted(ctx context.Context, env core.Envelope, pinned bool) (bool, []core.Envelope, error) {
	conv := convKey(env.Conversation())
	if pinned {
		if err := c.pin(ctx, env); err != nil {
			return false, nil, err
		}
	}
	owner, err := c.holdConv(ctx, conv)
	switch {
	case err != nil:
		return false, nil, err
	case owner == c.id:
		turns, err := c.claim(ctx, c.pool, conv, false)
		return true, turns, err
	case pinned:
		return false, nil, nil
	}
	return false, nil, c.handOver(ctx, c.pool, owner, conv)
}

// Adopt claims the turns handed over for conv when this replica holds it;
// otherwise it leases conv for the turns pinned here, if it is free.
func (c *Cluster) Adopt(ctx context.Context, conv core.ConversationKey) ([]core.Envelope, error) {
	var out []core.Envelope
	held := false
	err := pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		var err error
		if held, err = c.lockConv(ctx, tx, convKey(conv)); err != nil || !held {
			return err
		}
		out, err = c.claim(ctx, tx, convKey(conv), false)
		return err
	})
	if err != nil || held {
		return out, wrap("adopt", err)
	}
	return c.acquire(ctx, conv)
}

// Release gives conv's lease up unless pending turns of it remain other
// than those pinned to other live replicas, and claims the turns handed
// over meanwhile. The replicas whose pinned turns wait are told that conv
// is free.
func (c *Cluster) Release(ctx context.Context, conv core.ConversationKey) ([]core.Envelope, error) {
	key := convKey(conv)
	var out []core.Envelope
	err := pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		if held, err := c.lockConv(ctx, tx, key); err != nil || !held {
			return err
		}
		var err error
		if out, err = c.claim(ctx, tx, key, false); err != nil {
			return err
		}
		return c.giveUp(ctx, tx, key)
	})
	return out, wrap("release", err)
}

// lockConv locks conv's lease row when this replica holds it, and reports
// whether it does.
func (c *Cluster) lockConv(ctx context.Context, tx pgx.Tx, conv []byte) (bool, error) {
	err := tx.QueryRow(ctx, `SELECT 1 FROM conversation_leases
		WHERE conversation = $1 AND owner = $2 FOR UPDATE`, conv, c.id).Scan(new(int))
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// holdConv leases conv to this replica when it is free, expired or already
// this replica's, and returns who holds it now.
func (c *Cluster) holdConv(ctx context.Context, conv []byte) (string, error) {
	var owner string
	err := takeOrRead(ctx, c.pool, "lease conversation", `
		WITH taken AS (
			INSERT INTO conversation_leases AS l (conversation, owner, lease_until)
			VALUES ($1, $2, now() + $3::bigint * interval '1 millisecond')
			ON CONFLICT (conversation) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
			WHERE l.owner = EXCLUDED.owner OR l.lease_until < now()
			RETURNING owner)
		SELECT owner FROM taken
		UNION ALL
		SELECT owner FROM conversation_leases WHERE conversation = $1 AND NOT EXISTS (SELECT 1 FROM taken)`,
		[]any{conv, c.id, c.leaseMillis()}, &owner)
	return owner, err
}

// takeOrRead runs sql, which takes or renews a lease when it can and
// returns the lease's holder either way, and scans that row into dest. The
// statement finds no row when the lease was given up or taken between its
// two reads; it is asked again then, up to three times. Its failure is
// wrapped as what failed.
func takeOrRead(ctx context.Context, q dbtx, what, sql string, args []any, dest ...any) error {
	for range 3 {
		err := q.QueryRow(ctx, sql, args...).Scan(dest...)
		if !errors.Is(err, pgx.ErrNoRows) {
			return wrap(what, err)
		}
	}
	return wrap(what, errors.New("lease changed hands three times in a row"))
}

// dbtx is the pool or a transaction.
type dbtx interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// claim gives this replica, which holds conv, the pending turns of conv
// that it does not run (with mine, also those its id owned before a
// restart), those pinned to it among them, and returns them in the order
// they were accepted. An unpinned turn owned by another replica is that of
// a holder whose conversation lease ran out: its own lease may outlast the
// conversation's by up to a renewal (a turn adopted after the last one),
// and leaving it would let a later turn run first. A turn pinned to
// another live replica is left to that replica. Turns locked by a write in
// progress (a completion) are skipped.
func (c *Cluster) claim(ctx context.Context, q dbtx, conv []byte, mine bool) ([]core.Envelope, error) {
	rows, err := q.Query(ctx, `
		UPDATE pending_turns SET owner = $2, lease_until = now() + $3::bigint * interval '1 millisecond', pinned = false
		WHERE key IN (SELECT key FROM pending_turns
			WHERE conversation = $1 AND CASE
				WHEN owner IS NULL OR lease_until < now() THEN true
				WHEN owner = $2 THEN pinned OR $4
				ELSE NOT pinned END
			FOR UPDATE SKIP LOCKED)
		RETURNING seq, record`, conv, c.id, c.leaseMillis(), mine)
	if err != nil {
		return nil, wrap("claim turns", err)
	}
	type claimed struct {
		seq int64
		env core.Envelope
	}
	var turns []claimed
	var rec []byte
	var seq int64
	_, err = pgx.ForEachRow(rows, []any{&seq, &rec}, func() error {
		p, err := record.DecodePending(rec)
		if err != nil {
			return fmt.Errorf("pending turn %d: %w", seq, err)
		}
		turns = append(turns, claimed{seq: seq, env: p.Env})
		return nil
	})
	if err != nil {
		return nil, wrap("claim turns", err)
	}
	slices.SortFunc(turns, func(a, b claimed) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]core.Envelope, len(turns))
	for i, t := range turns {
		out[i] = t.env
	}
	return out, nil
}

// Renew extends this replica's leases, its pinned turns' too, and returns
// the conversations to adopt: those it holds with turns nobody runs, and
// those with turns pinned here that no other live replica holds. It gives
// up the leases of conversations with nothing left to run, as Release
// would: a lease whose release failed, or taken by a takeover that found
// the turns gone, would otherwise be renewed for as long as this replica
// lives, and the turns pinned to other replicas would wait as long. When
// another process holds this replica's id, it changes nothing and returns a
// *core.ReplicaIDInUseError naming that process.
func (c *Cluster) Renew(ctx context.Context) ([]core.ConversationKey, error) {
	var keys [][]byte
	err := pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		if err := c.hold(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE pending_turns SET lease_until = now() + $2::bigint * interval '1 millisecond'
			WHERE owner = $1`, c.id, c.leaseMillis()); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `UPDATE conversation_leases SET lease_until = now() + $2::bigint * interval '1 millisecond'
			WHERE owner = $1 RETURNING conversation`, c.id, c.leaseMillis())
		if err != nil {
			return err
		}
		held, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
		if err != nil {
			return err
		}
		if err := c.giveUp(ctx, tx, held...); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT DISTINCT p.conversation FROM pending_turns p
			LEFT JOIN conversation_leases l ON l.conversation = p.conversation AND l.lease_until >= now()
			WHERE (l.owner = $1 AND (p.owner IS NULL OR p.lease_until < now()))
			   OR (p.owner = $1 AND p.pinned AND (l.owner IS NULL OR l.owner = $1))`, c.id)
		if err != nil {
			return err
		}
		keys, err = pgx.CollectRows(rows, pgx.RowTo[[]byte])
		return err
	})
	if err != nil {
		return nil, wrap("renew leases", err)
	}
	convs := make([]core.ConversationKey, 0, len(keys))
	for _, k := range keys {
		conv, err := core.ParseConversationKey(string(k))
		if err != nil {
			c.log.Warn("unreadable conversation lease skipped", "err", err)
			continue
		}
		convs = append(convs, conv)
	}
	return convs, nil
}

// Resign gives up this replica's presence and conversation leases and lets
// its pending turns be taken over at once. When another process holds this
// replica's id, the id's leases are that process's: it gives up nothing.
func (c *Cluster) Resign(ctx context.Context) error {
	err := pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		held, err := c.leave(ctx, tx)
		if err != nil {
			return err
		}
		if !held {
			c.log.Warn("replica id no longer held by this process; its leases are left as they are", "replica_id", c.id)
			return nil
		}
		for _, sql := range []string{
			`UPDATE pending_turns SET lease_until = now() WHERE owner = $1`,
			`DELETE FROM conversation_leases WHERE owner = $1`,
			`DELETE FROM leader_leases WHERE owner = $1`,
		} {
			if _, err := tx.Exec(ctx, sql, c.id); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap("resign", err)
}
