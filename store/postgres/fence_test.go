package postgres

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"imbot/core"
	"imbot/store/postgres/pgtest"
	"imbot/store/storetest"
)

// openFenced opens replica id, whose leases last clusterLease, on its own
// store on dsn, and returns the store, which records behind the fence, and
// the coordinator.
func openFenced(t *testing.T, dsn, id string) (*Store, *Cluster) {
	t.Helper()
	s := openStore(t, dsn)
	c, err := openClusterOn(t, s, id, clusterLease)
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

// acceptHere accepts e on s and leases its conversation to c, which must
// get the turn.
func acceptHere(t *testing.T, s *Store, c *Cluster, e core.Envelope) {
	t.Helper()
	ctx := context.Background()
	if ok, err := s.Accept(ctx, e); err != nil || !ok {
		t.Fatalf("Accept = %t, %v", ok, err)
	}
	if owned, turns, err := c.Accepted(ctx, e, false); err != nil || !owned || !slices.Equal(ids(turns), []core.MessageID{e.MessageID}) {
		t.Fatalf("Accepted = %t, %v, %v; want the turn", owned, ids(turns), err)
	}
}

// wantHistory fails the test unless e's conversation holds texts.
func wantHistory(t *testing.T, s *Store, e core.Envelope, texts ...string) {
	t.Helper()
	msgs, err := s.Recent(context.Background(), e.Conversation(), 10)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(msgs))
	for i, m := range msgs {
		got[i] = m.Text
	}
	if !slices.Equal(got, texts) {
		t.Fatalf("history = %q, want %q", got, texts)
	}
}

// wantTakenOver fails the test unless err matches core.ErrTurnTakenOver.
func wantTakenOver(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, core.ErrTurnTakenOver) {
		t.Fatalf("%s = %v, want core.ErrTurnTakenOver", what, err)
	}
}

func TestFenceRecordsATurnTakenOverOnce(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	sa, a := openFenced(t, dsn, "a")
	sb, b := openFenced(t, dsn, "b")
	e := env("c", "1")
	acceptHere(t, sa, a, e)
	// a pauses past its lease (it renews nothing) and b takes the turn over.
	eventually(t, "takeover", func() bool {
		got, err := b.Takeover(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Equal(ids(got), []core.MessageID{"1"})
	})
	// a resumes and finishes the turn it had queued: the fence stops it.
	turn := storetest.TurnFor(e, time.Now())
	wantTakenOver(t, "Complete by the replica that lost the turn", sa.Complete(ctx, turn))
	wantTakenOver(t, "KeepAnswer by the replica that lost the turn", sa.KeepAnswer(ctx, turn, true))
	if _, kept, err := sb.KeptAnswer(ctx, e); err != nil || kept {
		t.Fatalf("KeptAnswer = %t, %v; the fenced KeepAnswer wrote", kept, err)
	}
	wantHistory(t, sb, e)
	if err := sb.Complete(ctx, turn); err != nil {
		t.Fatalf("Complete by the replica that took the turn over: %v", err)
	}
	wantHistory(t, sb, e, "q1", "answer to q1")
	// Once recorded, the turn is recorded by nobody again.
	wantTakenOver(t, "Complete after the other replica recorded the turn", sa.Complete(ctx, turn))
	wantTakenOver(t, "Complete of a turn already recorded", sb.Complete(ctx, turn))
	wantHistory(t, sa, e, "q1", "answer to q1")
}

func TestFenceLetsTheOwnerRecord(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	sa, a := openFenced(t, dsn, "a")
	openFenced(t, dsn, "b")
	e, follow := env("c", "1"), env("c", "2")
	acceptHere(t, sa, a, e)
	// A follow-up accepted but not claimed yet has no owner: nobody else
	// runs it, and the owner records it with its turn.
	if ok, err := sa.Accept(ctx, follow); err != nil || !ok {
		t.Fatalf("Accept = %t, %v", ok, err)
	}
	turn := storetest.TurnFor(e, time.Now())
	turn.Followups = []core.Followup{{Envelope: follow, User: core.Message{Role: core.RoleUser, Text: follow.Text}}}
	if err := sa.KeepAnswer(ctx, turn, true); err != nil {
		t.Fatalf("KeepAnswer by the owner: %v", err)
	}
	if err := sa.Complete(ctx, turn); err != nil {
		t.Fatalf("Complete by the owner: %v", err)
	}
	wantHistory(t, sa, e, "q1", "q2", "answer to q1")
	if pending, err := sa.Pending(ctx); err != nil || len(pending) != 0 {
		t.Fatalf("Pending = %v, %v; want none", ids(pending), err)
	}
}

func TestFenceRefusesATurnWhoseFollowUpAnotherReplicaOwns(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	sa, a := openFenced(t, dsn, "a")
	_, b := openFenced(t, dsn, "b")
	e, follow := env("c", "1"), env("c", "2")
	acceptHere(t, sa, a, e)
	accept(t, b, follow, "b", time.Now().Add(time.Hour))
	turn := storetest.TurnFor(e, time.Now())
	turn.Followups = []core.Followup{{Envelope: follow, User: core.Message{Role: core.RoleUser, Text: follow.Text}}}
	wantTakenOver(t, "Complete of a turn whose follow-up b owns", sa.Complete(ctx, turn))
	wantHistory(t, sa, e)
	if pending, err := sa.Pending(ctx); err != nil || len(pending) != 2 {
		t.Fatalf("Pending = %v, %v; want both turns left", ids(pending), err)
	}
}
