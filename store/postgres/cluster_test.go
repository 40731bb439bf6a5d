package postgres

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"imbot/core"
	"imbot/core/faq"
	"imbot/store/postgres/pgtest"
	"imbot/store/record"
	"imbot/store/storage"
)

// clusterLease is the lease of the replicas in these tests: short, so that
// a takeover comes soon after a replica stops renewing.
const clusterLease = 150 * time.Millisecond

// openStore opens a store on dsn, closed when the test ends.
func openStore(t *testing.T, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn, WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// openReplica opens the coordinator of replica id on its own store on dsn.
func openReplica(t *testing.T, dsn, id string, opts ...ClusterOption) *Cluster {
	t.Helper()
	c, err := openProcess(t, dsn, id, clusterLease, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// openProcess opens the coordinator of replica id, whose leases last
// lease, on its own store on dsn, as a process does at start; it is closed
// when the test ends.
func openProcess(t *testing.T, dsn, id string, lease time.Duration, opts ...ClusterOption) (*Cluster, error) {
	t.Helper()
	return openClusterOn(t, openStore(t, dsn), id, lease, opts...)
}

// openClusterOn opens the coordinator of replica id, whose leases last
// lease, on s; it is closed when the test ends.
func openClusterOn(t *testing.T, s *Store, id string, lease time.Duration, opts ...ClusterOption) (*Cluster, error) {
	t.Helper()
	c, err := OpenCluster(context.Background(), s, id, lease, opts...)
	if err == nil {
		t.Cleanup(c.Close)
	}
	return c, err
}

// env is a direct message id in chat.
func env(chat, id string) core.Envelope {
	return core.Envelope{Platform: "test", ChatID: core.ChatID(chat), UserID: "u", MessageID: core.MessageID(id),
		Text: "q" + id, Received: time.Unix(1700000000, 0).UTC()}
}

// accept writes env as a pending turn, owned by owner ("" for none) until
// until, as the store's Accept and an earlier claim would have.
func accept(t *testing.T, c *Cluster, e core.Envelope, owner string, until time.Time) {
	t.Helper()
	var o, u any
	if owner != "" {
		o, u = owner, until
	}
	_, err := c.pool.Exec(context.Background(), `INSERT INTO pending_turns
		(key, conversation, platform, user_id, accepted_at, record, owner, lease_until)
		VALUES ($1, $2, $3, $4, now(), $5, $6, $7)`,
		storage.PendingKey(e), convKey(e.Conversation()), []byte(e.Platform), []byte(e.UserID),
		record.EncodePending(record.Pending{Env: e}), o, u)
	if err != nil {
		t.Fatal(err)
	}
}

// complete deletes e's pending turn, as the store's Complete does.
func complete(t *testing.T, c *Cluster, e core.Envelope) {
	t.Helper()
	if _, err := c.pool.Exec(context.Background(), `DELETE FROM pending_turns WHERE key = $1`, storage.PendingKey(e)); err != nil {
		t.Fatal(err)
	}
}

// ids returns the message ids of envs.
func ids(envs []core.Envelope) []core.MessageID {
	out := make([]core.MessageID, len(envs))
	for i, e := range envs {
		out[i] = e.MessageID
	}
	return out
}

// eventually calls f every quarter lease until it reports true, failing
// the test after ten seconds.
func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	tick := time.NewTicker(clusterLease / 4)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for !f() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("%s: not within 10s", what)
		}
	}
}

func TestClusterTakesOverAfterTheOwnerStopsRenewing(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	a, b := openReplica(t, dsn, "a"), openReplica(t, dsn, "b")
	first, second := env("c", "1"), env("c", "2")
	accept(t, a, first, "", time.Time{})
	owned, turns, err := a.Accepted(ctx, first, false)
	if err != nil || !owned || !slices.Equal(ids(turns), []core.MessageID{"1"}) {
		t.Fatalf("Accepted = %t, %v, %v; want the turn", owned, ids(turns), err)
	}
	accept(t, a, second, "", time.Time{})
	if _, err := b.Renew(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Takeover(ctx, 10); err != nil || len(got) != 0 {
		t.Fatalf("takeover while the owner lives = %v, %v", ids(got), err)
	}
	// a stops renewing: its leases expire and b takes both turns, in order.
	var taken []core.Envelope
	eventually(t, "takeover", func() bool {
		got, err := b.Takeover(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		taken = append(taken, got...)
		return len(taken) > 0
	})
	if !slices.Equal(ids(taken), []core.MessageID{"1", "2"}) || taken[0].Text != "q1" {
		t.Fatalf("taken over %v, want 1 and 2", ids(taken))
	}
	if got, _ := b.Takeover(ctx, 10); len(got) != 0 {
		t.Fatalf("taken over again: %v", ids(got))
	}
	if got, _ := a.Takeover(ctx, 10); len(got) != 0 {
		t.Fatalf("the old owner took back %v", ids(got))
	}
}

// A turn adopted after its holder's last renewal outlives the holder's
// conversation lease; the replica that leases the conversation next takes
// it with the rest, so that the conversation's turns still run in order.
func TestClusterLeasingAConversationTakesAllItsTurns(t *testing.T) {
	ctx := context.Background()
	b := openReplica(t, pgtest.NewDatabase(t), "b")
	first, second := env("c", "1"), env("c", "2")
	accept(t, b, first, "dead", time.Now().Add(time.Hour))
	if _, err := b.pool.Exec(ctx, `INSERT INTO conversation_leases (conversation, owner, lease_until)
		VALUES ($1, 'dead', now() - interval '1 second')`, convKey(first.Conversation())); err != nil {
		t.Fatal(err)
	}
	accept(t, b, second, "", time.Time{})
	owned, turns, err := b.Accepted(ctx, second, false)
	if err != nil || !owned || !slices.Equal(ids(turns), []core.MessageID{"1", "2"}) {
		t.Fatalf("Accepted = %t, %v, %v; want the conversation with turns 1 and 2", owned, ids(turns), err)
	}
}

func TestClusterTurnsHaveExactlyOneClaimant(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	replicas := []*Cluster{openReplica(t, dsn, "a"), openReplica(t, dsn, "b"), openReplica(t, dsn, "c")}
	var want []core.MessageID
	for i := range 30 {
		e := env(string(rune('a'+i%6)), string(rune('A'+i)))
		accept(t, replicas[0], e, "dead", time.Now().Add(-time.Hour))
		want = append(want, e.MessageID)
	}
	var mu sync.Mutex
	var got []core.MessageID
	var wg sync.WaitGroup
	for _, r := range replicas {
		for range 3 {
			wg.Go(func() {
				turns, err := r.Takeover(ctx, 100)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				got = append(got, ids(turns)...)
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("claimed %v, want each of %v once", got, want)
	}
}

func TestClusterHandsOverToTheHolder(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	a, b := openReplica(t, dsn, "a"), openReplica(t, dsn, "b")
	waitConnected(t, a)
	first, second, third := env("c", "1"), env("c", "2"), env("c", "3")
	accept(t, a, first, "", time.Time{})
	if owned, _, err := a.Accepted(ctx, first, false); err != nil || !owned {
		t.Fatalf("Accepted = %t, %v", owned, err)
	}
	accept(t, b, second, "", time.Time{})
	owned, turns, err := b.Accepted(ctx, second, false)
	if err != nil || owned || len(turns) != 0 {
		t.Fatalf("Accepted on the other replica = %t, %v, %v; want a handover", owned, ids(turns), err)
	}
	if conv := nextHandover(t, a); conv != second.Conversation() {
		t.Fatalf("handover of %v", conv)
	}
	if got, err := a.Adopt(ctx, second.Conversation()); err != nil || !slices.Equal(ids(got), []core.MessageID{"2"}) {
		t.Fatalf("Adopt = %v, %v", ids(got), err)
	}
	// A third message handed over while the holder finishes is claimed by
	// its Release, which keeps the lease while turns remain.
	accept(t, b, third, "", time.Time{})
	if owned, _, _ := b.Accepted(ctx, third, false); owned {
		t.Fatal("the other replica took a held conversation")
	}
	complete(t, a, first)
	complete(t, a, second)
	if got, err := a.Release(ctx, third.Conversation()); err != nil || !slices.Equal(ids(got), []core.MessageID{"3"}) {
		t.Fatalf("Release = %v, %v; want the handed-over turn", ids(got), err)
	}
	complete(t, a, third)
	if got, err := a.Release(ctx, third.Conversation()); err != nil || len(got) != 0 {
		t.Fatalf("Release = %v, %v", ids(got), err)
	}
	fourth := env("c", "4")
	accept(t, b, fourth, "", time.Time{})
	if owned, turns, err := b.Accepted(ctx, fourth, false); err != nil || !owned || !slices.Equal(ids(turns), []core.MessageID{"4"}) {
		t.Fatalf("Accepted after release = %t, %v, %v", owned, ids(turns), err)
	}
}

func TestClusterRenewFindsHandoversWhoseSignalWasLost(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	a := openReplica(t, dsn, "a")
	first, second := env("c", "1"), env("c", "2")
	accept(t, a, first, "", time.Time{})
	if owned, _, err := a.Accepted(ctx, first, false); err != nil || !owned {
		t.Fatalf("Accepted = %t, %v", owned, err)
	}
	accept(t, a, second, "", time.Time{}) // accepted elsewhere, no signal
	convs, err := a.Renew(ctx)
	if err != nil || !slices.Equal(convs, []core.ConversationKey{second.Conversation()}) {
		t.Fatalf("Renew = %v, %v", convs, err)
	}
}

// nextHandover waits for c's next handover signal.
func nextHandover(t *testing.T, c *Cluster) core.ConversationKey {
	t.Helper()
	select {
	case conv := <-c.Handovers():
		return conv
	case <-time.After(10 * time.Second):
		t.Fatal("no handover signal")
	}
	return core.ConversationKey{}
}

// A pinned turn accepted on b while a holds its conversation stays b's:
// a runs its own turns, gives the conversation up around it and tells b,
// which leases the conversation and claims the turn.
func TestClusterPinnedTurnWaitsForTheHolderToRelease(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	a, b := openReplica(t, dsn, "a"), openReplica(t, dsn, "b")
	waitConnected(t, b)
	first, second, third := env("c", "1"), env("c", "2"), env("c", "3")
	conv := first.Conversation()
	accept(t, a, first, "", time.Time{})
	if owned, _, err := a.Accepted(ctx, first, true); err != nil || !owned {
		t.Fatalf("Accepted = %t, %v", owned, err)
	}
	accept(t, b, second, "", time.Time{})
	if owned, turns, err := b.Accepted(ctx, second, true); err != nil || owned || len(turns) != 0 {
		t.Fatalf("pinned Accepted on the other replica = %t, %v, %v; want it to wait", owned, ids(turns), err)
	}
	accept(t, a, third, "", time.Time{})
	if owned, turns, err := a.Accepted(ctx, third, true); err != nil || !owned || !slices.Equal(ids(turns), []core.MessageID{"3"}) {
		t.Fatalf("Accepted on the holder = %t, %v, %v; want its own turn only", owned, ids(turns), err)
	}
	if got, err := a.Adopt(ctx, conv); err != nil || len(got) != 0 {
		t.Fatalf("the holder adopted %v, %v", ids(got), err)
	}
	if got, err := a.Renew(ctx); err != nil || len(got) != 0 {
		t.Fatalf("the holder's Renew = %v, %v; want nothing to adopt", got, err)
	}
	if got, err := b.Adopt(ctx, conv); err != nil || len(got) != 0 {
		t.Fatalf("b adopted %v, %v while a holds the conversation", ids(got), err)
	}
	complete(t, a, first)
	if got, err := a.Release(ctx, conv); err != nil || len(got) != 0 {
		t.Fatalf("Release with a turn of its own left = %v, %v", ids(got), err)
	}
	if got, err := b.Renew(ctx); err != nil || len(got) != 0 {
		t.Fatalf("b's Renew = %v, %v while a holds the conversation", got, err)
	}
	complete(t, a, third)
	if got, err := a.Release(ctx, conv); err != nil || len(got) != 0 {
		t.Fatalf("Release = %v, %v; want the pinned turn left to b", ids(got), err)
	}
	if got := nextHandover(t, b); got != conv {
		t.Fatalf("b told of %v", got)
	}
	if got, err := b.Renew(ctx); err != nil || !slices.Equal(got, []core.ConversationKey{conv}) {
		t.Fatalf("b's Renew = %v, %v; want the freed conversation", got, err)
	}
	if got, err := b.Adopt(ctx, conv); err != nil || !slices.Equal(ids(got), []core.MessageID{"2"}) {
		t.Fatalf("b's Adopt = %v, %v; want its pinned turn", ids(got), err)
	}
	if got, err := b.Adopt(ctx, conv); err != nil || len(got) != 0 {
		t.Fatalf("b adopted %v, %v again", ids(got), err)
	}
	fourth := env("c", "4")
	accept(t, a, fourth, "", time.Time{})
	if owned, _, err := a.Accepted(ctx, fourth, true); err != nil || owned {
		t.Fatalf("Accepted on a = %t, %v; want it to wait for b", owned, err)
	}
}

// The pinned turn of a replica that stopped renewing is taken over like
// any other.
func TestClusterPinnedTurnOfADeadReplicaIsTakenOver(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	a, b := openReplica(t, dsn, "a"), openReplica(t, dsn, "b")
	first, second := env("c", "1"), env("c", "2")
	accept(t, a, first, "", time.Time{})
	if owned, _, err := a.Accepted(ctx, first, true); err != nil || !owned {
		t.Fatalf("Accepted = %t, %v", owned, err)
	}
	accept(t, b, second, "", time.Time{})
	if owned, _, err := b.Accepted(ctx, second, true); err != nil || owned {
		t.Fatalf("pinned Accepted on the other replica = %t, %v", owned, err)
	}
	complete(t, a, first)
	var taken []core.Envelope
	eventually(t, "takeover", func() bool {
		if _, err := a.Renew(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := a.Takeover(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		taken = append(taken, got...)
		return len(taken) > 0
	})
	if !slices.Equal(ids(taken), []core.MessageID{"2"}) {
		t.Fatalf("taken over %v, want the dead replica's pinned turn", ids(taken))
	}
}

func TestClusterRestartRecoversItsOwnTurnsAtOnce(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	before := openReplica(t, dsn, "a")
	e := env("c", "1")
	accept(t, before, e, "", time.Time{})
	if owned, _, err := before.Accepted(ctx, e, false); err != nil || !owned {
		t.Fatalf("Accepted = %t, %v", owned, err)
	}
	other := openReplica(t, dsn, "b")
	if got, err := other.Recover(ctx); err != nil || len(got) != 0 {
		t.Fatalf("another replica recovered %v, %v while the owner's lease lives", ids(got), err)
	}
	// The process stops without giving its leases up (Close gives up its
	// presence only), and starts again with the same id.
	before.Close()
	after := openReplica(t, dsn, "a", WithClaimWait(0))
	if got, err := after.Recover(ctx); err != nil || !slices.Equal(ids(got), []core.MessageID{"1"}) {
		t.Fatalf("Recover = %v, %v", ids(got), err)
	}
}

func TestClusterResignLetsOthersTakeOverAtOnce(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	a, b := openReplica(t, dsn, "a"), openReplica(t, dsn, "b")
	e := env("c", "1")
	accept(t, a, e, "", time.Time{})
	if owned, _, err := a.Accepted(ctx, e, false); err != nil || !owned {
		t.Fatalf("Accepted = %t, %v", owned, err)
	}
	if err := a.Resign(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Takeover(ctx, 10); err != nil || !slices.Equal(ids(got), []core.MessageID{"1"}) {
		t.Fatalf("Takeover after resign = %v, %v", ids(got), err)
	}
}

func TestLeaderLeasePassesOnWhenReleasedOrExpired(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	a, b, c := openReplica(t, dsn, "a"), openReplica(t, dsn, "b"), openReplica(t, dsn, "c")
	heldA, releaseA, err := a.Lead(ctx, "poll")
	if err != nil {
		t.Fatal(err)
	}
	bLeads := make(chan func(), 1)
	bCtx, killB := context.WithCancel(ctx)
	go func() {
		_, release, err := b.Lead(bCtx, "poll")
		if err != nil {
			t.Error(err)
			return
		}
		bLeads <- release
	}()
	select {
	case <-bLeads:
		t.Fatal("two replicas lead at once")
	case <-time.After(3 * clusterLease): // a renews meanwhile
	}
	releaseA()
	if heldA.Err() == nil {
		t.Fatal("held context still live after release")
	}
	select {
	case <-bLeads:
	case <-time.After(10 * time.Second):
		t.Fatal("b did not take the released lease")
	}
	// b dies without giving the lease up: c takes it once it expires.
	killB()
	heldC, releaseC, err := c.Lead(ctx, "poll")
	if err != nil || heldC.Err() != nil {
		t.Fatalf("c: %v", err)
	}
	releaseC()
}

func TestListenerReconnectsAfterItsConnectionDrops(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	a, b := openReplica(t, dsn, "a"), openReplica(t, dsn, "b")
	waitConnected(t, a)
	waitConnected(t, b)
	if _, err := b.pool.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE application_name = 'imbot-listen' AND datname = current_database()`); err != nil {
		t.Fatal(err)
	}
	waitConnected(t, a)
	select {
	case <-a.KnowledgeChanges(): // a change may have been missed while down
	case <-time.After(10 * time.Second):
		t.Fatal("no reload signal after reconnecting")
	}
	if err := b.AnnounceKnowledge(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.KnowledgeChanges():
	case <-time.After(10 * time.Second):
		t.Fatal("announcement not delivered after reconnecting")
	}
}

// waitConnected waits for c's listening connection to (re)connect.
func waitConnected(t *testing.T, c *Cluster) {
	t.Helper()
	select {
	case <-c.listen.connected:
	case <-time.After(10 * time.Second):
		t.Fatal("listener did not connect")
	}
}

func TestFAQEntriesAreSharedByTheReplicas(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	a, b := openReplica(t, dsn, "a"), openReplica(t, dsn, "b")
	e := faq.Entry{ID: "hours", Answer: "9 to 5", Questions: []string{"when are you open?"}}
	if err := a.AddFAQEntry(ctx, e); err != nil {
		t.Fatal(err)
	}
	if err := b.AddFAQEntry(ctx, e); !errors.Is(err, faq.ErrDuplicateID) {
		t.Fatalf("second add: %v, want ErrDuplicateID", err)
	}
	got, err := b.FAQEntries(ctx)
	if err != nil || len(got) != 1 || got[0].ID != "hours" || got[0].Answer != "9 to 5" || !slices.Equal(got[0].Questions, e.Questions) {
		t.Fatalf("FAQEntries = %+v, %v", got, err)
	}
}

// A turn's age is measured by the database's clock: a turn just accepted
// by a replica whose clock runs an hour behind is not taken for one never
// claimed and taken over before its acceptor claims it.
func TestClusterTakeoverIgnoresTheAcceptorsClock(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	late, err := Open(ctx, dsn, WithLogger(quiet), WithClock(func() time.Time { return time.Now().Add(-time.Hour) }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = late.Close() })
	b := openReplica(t, dsn, "b")
	if ok, err := late.Accept(ctx, env("c", "1")); err != nil || !ok {
		t.Fatalf("Accept = %t, %v", ok, err)
	}
	if got, err := b.Takeover(ctx, 10); err != nil || len(got) != 0 {
		t.Fatalf("Takeover = %v, %v; want the fresh turn left to its acceptor", ids(got), err)
	}
}

// A conversation lease its holder no longer needs (its release failed, or a
// takeover found the turns it leased for gone) is given up by the holder's
// next renewal, so that a turn pinned to another replica does not wait for
// it as long as the holder lives.
func TestClusterRenewGivesUpAnIdleConversation(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	a, b := openReplica(t, dsn, "a"), openReplica(t, dsn, "b")
	waitConnected(t, b)
	first, second := env("c", "1"), env("c", "2")
	conv := first.Conversation()
	accept(t, a, first, "", time.Time{})
	if owned, _, err := a.Accepted(ctx, first, false); err != nil || !owned {
		t.Fatalf("Accepted = %t, %v", owned, err)
	}
	accept(t, b, second, "", time.Time{})
	if owned, _, err := b.Accepted(ctx, second, true); err != nil || owned {
		t.Fatalf("pinned Accepted on the other replica = %t, %v; want it to wait", owned, err)
	}
	complete(t, a, first) // and no Release follows
	if _, err := a.Renew(ctx); err != nil {
		t.Fatal(err)
	}
	if got := nextHandover(t, b); got != conv {
		t.Fatalf("b told of %v", got)
	}
	if got, err := b.Adopt(ctx, conv); err != nil || !slices.Equal(ids(got), []core.MessageID{"2"}) {
		t.Fatalf("b's Adopt = %v, %v; want its pinned turn", ids(got), err)
	}
}
