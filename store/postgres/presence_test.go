package postgres

import (
	"context"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"imbot/core"
	"imbot/store/postgres/pgtest"
)

// longLease outlasts every test: a presence held with it stays live.
const longLease = time.Minute

// started returns when the process holding replica id's presence took it.
func started(t *testing.T, c *Cluster, id string) time.Time {
	t.Helper()
	var at time.Time
	if err := c.pool.QueryRow(context.Background(), `SELECT started FROM replicas WHERE id = $1`, id).Scan(&at); err != nil {
		t.Fatal(err)
	}
	return at
}

// wantInUse fails the test unless err reports replica id held by the
// process that took it at since, on this host and in this process.
func wantInUse(t *testing.T, err error, id string, since time.Time) {
	t.Helper()
	var inUse *core.ReplicaIDInUseError
	if !errors.Is(err, core.ErrReplicaIDInUse) || !errors.As(err, &inUse) {
		t.Fatalf("err = %v, want the replica id in use", err)
	}
	host, _ := os.Hostname()
	if inUse.ReplicaID != id || inUse.Host != host || inUse.PID != os.Getpid() || !inUse.Started.Equal(since) {
		t.Fatalf("holder = %+v, want %s on %s, pid %d, since %s", inUse, id, host, os.Getpid(), since)
	}
}

func TestPresenceRefusesASecondProcessWithTheSameID(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	first, err := openProcess(t, dsn, "a", longLease)
	if err != nil {
		t.Fatal(err)
	}
	const wait = 100 * time.Millisecond
	asked := time.Now()
	_, err = openProcess(t, dsn, "a", clusterLease, WithClaimWait(wait))
	if waited := time.Since(asked); waited < wait {
		t.Errorf("refused after %s, want a wait of %s first", waited, wait)
	}
	wantInUse(t, err, "a", started(t, first, "a"))
	if _, err := first.Renew(context.Background()); err != nil {
		t.Fatalf("the holder's renewal after the refusal: %v", err)
	}
}

func TestPresenceOfAVanishedHolderIsTakenOverOnceItExpires(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	vanished := openReplica(t, dsn, "a") // never renews again
	e := env("c", "1")
	accept(t, vanished, e, "", time.Time{})
	if owned, _, err := vanished.Accepted(ctx, e, false); err != nil || !owned {
		t.Fatalf("Accepted = %t, %v", owned, err)
	}
	successor := openReplica(t, dsn, "a") // waits for the presence to expire
	if got, err := successor.Recover(ctx); err != nil || !slices.Equal(ids(got), []core.MessageID{"1"}) {
		t.Fatalf("Recover = %v, %v", ids(got), err)
	}
	// The vanished process comes back: its renewal reports the successor
	// and its stop gives up nothing of what the successor now holds.
	_, err := vanished.Renew(ctx)
	wantInUse(t, err, "a", started(t, successor, "a"))
	if err := vanished.Resign(ctx); err != nil {
		t.Fatal(err)
	}
	var leases int
	if err := successor.pool.QueryRow(ctx, `SELECT count(*) FROM conversation_leases WHERE owner = 'a'`).Scan(&leases); err != nil || leases != 1 {
		t.Fatalf("%d conversation leases (%v) after the old process resigned, want the successor's", leases, err)
	}
	if _, err := successor.Renew(ctx); err != nil {
		t.Fatalf("the successor's renewal: %v", err)
	}
}

func TestPresenceGivenUpAtStopIsFreeAtOnce(t *testing.T) {
	for name, stop := range map[string]func(*Cluster) error{
		"resign": func(c *Cluster) error { return c.Resign(context.Background()) },
		"close":  func(c *Cluster) error { c.Close(); return nil },
	} {
		t.Run(name, func(t *testing.T) {
			dsn := pgtest.NewDatabase(t)
			old, err := openProcess(t, dsn, "a", longLease)
			if err != nil {
				t.Fatal(err)
			}
			if err := stop(old); err != nil {
				t.Fatal(err)
			}
			if _, err := openProcess(t, dsn, "a", longLease, WithClaimWait(0)); err != nil {
				t.Fatalf("start after the old process stopped: %v", err)
			}
		})
	}
}

func TestPresencesOfDifferentIDsDoNotInterfere(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	a, err := openProcess(t, dsn, "a", longLease)
	if err != nil {
		t.Fatal(err)
	}
	b, err := openProcess(t, dsn, "b", longLease, WithClaimWait(0))
	if err != nil {
		t.Fatalf("another id while a runs: %v", err)
	}
	for _, c := range []*Cluster{a, b} {
		if _, err := c.Renew(ctx); err != nil {
			t.Fatalf("renewal of %s: %v", c.ReplicaID(), err)
		}
	}
	if err := a.Resign(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = openProcess(t, dsn, "b", longLease, WithClaimWait(0))
	wantInUse(t, err, "b", started(t, b, "b"))
}

// A replicas row written by a release before presences holds nothing: a
// rolling upgrade's new process takes the id at once.
func TestPresenceIgnoresARowOfAnOlderRelease(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	s := openStore(t, dsn)
	if _, err := s.pool.Exec(context.Background(), `INSERT INTO replicas (id, started, seen) VALUES ('a', now(), now())`); err != nil {
		t.Fatal(err)
	}
	if _, err := openProcess(t, dsn, "a", longLease, WithClaimWait(0)); err != nil {
		t.Fatalf("start over an older release's row: %v", err)
	}
}
