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

// giveUp deletes the leases this replica holds on convs, except those of
// conversations with pending turns other than turns pinned to other live
// replicas, and tells those replicas, when the transaction tx commits, that
// the conversations they wait for are free.
func (c *Cluster) giveUp(ctx context.Context, tx pgx.Tx, convs ...[]byte) error {
	rows, err := tx.Query(ctx, `
		WITH freed AS (
			DELETE FROM conversation_leases l WHERE l.conversation = ANY($1) AND l.owner = $2
			AND NOT EXISTS (SELECT 1 FROM pending_turns p WHERE p.conversation = l.conversation AND NOT `+pinnedElsewhere+`)
			RETURNING l.conversation)
		SELECT DISTINCT p.owner, p.conversation FROM pending_turns p JOIN freed f ON p.conversation = f.conversation
		WHERE `+pinnedElsewhere, convs, c.id)
	if err != nil {
		return err
	}
	type waiter struct {
		Owner string
		Conv  []byte
	}
	waiting, err := pgx.CollectRows(rows, pgx.RowToStructByPos[waiter])
	if err != nil {
		return err
	}
	for _, w := range waiting {
		if err := c.handOver(ctx, tx, w.Owner, w.Conv); err != nil {
			return err
		}
	}
	return nil
}
