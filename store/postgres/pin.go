package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"imbot/core"
	"imbot/store/storage"
)

// Pinned turns (core.LocalReplier): a turn whose replies need the
// connections of the replica that accepted it is owned by that replica from
// its acceptance (pending_turns.pinned) and renewed with its other leases.
// The holder of its conversation does not claim it while that replica
// lives, gives the conversation up around it (Release), and tells the
// replica, which then leases the conversation and claims it (Adopt). A
// pinned turn whose owner died expires and is taken over like any other.

// pinnedElsewhere is the condition on a pending_turns row p that it is
// pinned to a live replica other than $2.
const pinnedElsewhere = `(p.pinned AND p.owner <> $2 AND p.lease_until >= now())`

// pin makes env's pending turn this replica's, to run here once it leases
// env's conversation. A turn that the conversation's holder claimed already
// stays the holder's.
func (c *Cluster) pin(ctx context.Context, env core.Envelope) error {
	_, err := c.pool.Exec(ctx, `UPDATE pending_turns
		SET owner = $2, lease_until = now() + $3::bigint * interval '1 millisecond', pinned = true
		WHERE key = $1 AND owner IS NULL`, storage.PendingKey(env), c.id, c.leaseMillis())
	return wrap("pin turn", err)
}

// acquire leases conv when turns of it are pinned to this replica and no
// other live replica holds it, and claims its turns. A lease taken when
// there was nothing left to claim is given up again.
func (c *Cluster) acquire(ctx context.Context, conv core.ConversationKey) ([]core.Envelope, error) {
	key := convKey(conv)
	var waits bool
	err := c.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pending_turns
		WHERE conversation = $1 AND owner = $2 AND pinned)`, key, c.id).Scan(&waits)
	if err != nil || !waits {
		return nil, wrap("find pinned turns", err)
	}
	owner, err := c.holdConv(ctx, key)
	if err != nil || owner != c.id {
		return nil, err
	}
	turns, err := c.claim(ctx, c.pool, key, false)
	if err != nil || len(turns) > 0 {
		return turns, err
	}
	return c.Release(ctx, conv)
}

// giveUp deletes conv's lease, which this replica holds, unless pending
// turns of it remain other than those pinned to other live replicas, and
// tells those replicas, when the transaction tx commits, that conv is free.
func (c *Cluster) giveUp(ctx context.Context, tx pgx.Tx, conv []byte) error {
	rows, err := tx.Query(ctx, `
		WITH freed AS (
			DELETE FROM conversation_leases l WHERE l.conversation = $1
			AND NOT EXISTS (SELECT 1 FROM pending_turns p WHERE p.conversation = $1 AND NOT `+pinnedElsewhere+`)
			RETURNING 1)
		SELECT DISTINCT p.owner FROM pending_turns p, freed WHERE p.conversation = $1 AND `+pinnedElsewhere,
		conv, c.id)
	if err != nil {
		return err
	}
	waiting, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, owner := range waiting {
		if err := c.handOver(ctx, tx, owner, conv); err != nil {
			return err
		}
	}
	return nil
}
