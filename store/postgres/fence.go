package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"imbot/core"
	"imbot/store/record"
)

// The fence on recording: a replica paused longer than its lease (a GC
// pause, a stalled VM) goes on with the turns it had queued while the
// replica that took them over runs them too. Once OpenCluster has given the
// store its replica id, Complete and KeepAnswer write only while every one
// of the turn's pending rows remains, owned by this replica or by none
// (accepted, never claimed: nobody else runs it); otherwise they write
// nothing and fail with core.ErrTurnTakenOver. Complete checks with the
// deletes of those rows (clearPending), at no extra round trip; KeepAnswer
// locks them first (fence). Either way the rows are locked in the
// transaction, and a claim skips locked rows, so a takeover cannot slip in
// between the check and the write. On one node the store has no replica id
// and records as it always did.

// fenceBy makes the store record turns for replica id (OpenCluster).
func (s *Store) fenceBy(id string) { s.replica.Store(&id) }

// fence, when the store records for a replica, locks the pending rows of
// keys owned by that replica or by none, in acceptance order, and returns
// an error matching core.ErrTurnTakenOver unless every key has such a row.
// On one node it does nothing.
func (s *Store) fence(ctx context.Context, tx pgx.Tx, keys [][]byte) error {
	me := s.replica.Load()
	if me == nil {
		return nil
	}
	var held int
	err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM pending_turns
		WHERE key = ANY($1) AND (owner IS NULL OR owner = $2) ORDER BY seq FOR UPDATE) AS held`,
		keys, *me).Scan(&held)
	if err != nil {
		return err
	}
	if held < len(keys) {
		return takenOver(*me)
	}
	return nil
}

// takenOver is the error of replica me recording a turn it no longer owns.
func takenOver(me string) error {
	return fmt.Errorf("replica %q: %w", me, core.ErrTurnTakenOver)
}

// KeepAnswer saves turn's answer, and whether it was sent, on the pending
// record of turn.Envelope; it does nothing when the envelope is not
// pending. For a replica of a cluster it writes only behind the fence: when
// the envelope is no longer pending or another replica owns it, it writes
// nothing and returns an error matching core.ErrTurnTakenOver.
func (s *Store) KeepAnswer(ctx context.Context, turn core.Turn, sent bool) error {
	return s.rewritePending(ctx, "keep_answer", turn.Envelope, true, record.KeepAnswer(turn, sent))
}
