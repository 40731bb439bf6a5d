package core

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// stuckAnswerer tells started about every question and never answers: its
// turns end only when their context does.
type stuckAnswerer struct{ started chan string }

func (s stuckAnswerer) Answer(ctx context.Context, env Envelope, _ ReplyWriter) Answer {
	s.started <- env.Text
	<-ctx.Done()
	return Answer{Reply: Reply{Text: "too late", Route: RouteDegraded}}
}

// testLease is the lease of the replicas in these tests: short, so that a
// takeover comes soon after a replica stops renewing.
const testLease = 40 * time.Millisecond

// replica is one dispatcher of a test cluster with its adapter.
type replica struct {
	d       *Dispatcher
	coord   *memReplica
	a       *fakeAdapter
	deliver DeliverFunc
	stop    context.CancelFunc
	done    <-chan error
}

// startReplica runs a dispatcher named id on cluster's store.
func startReplica(t *testing.T, cluster *memCluster, id string, cfg DispatcherConfig, answerer Answerer) *replica {
	t.Helper()
	a := newFakeAdapter("test")
	return runReplica(t, cluster, id, cfg, answerer, a, a)
}

// localAdapter is a fakeAdapter whose replies need this replica's
// connections, as the web chat's do.
type localAdapter struct{ *fakeAdapter }

func (localAdapter) RepliesLocally() bool { return true }

// startLocalReplica runs a dispatcher named id on cluster's store whose
// adapter replies locally: its turns are pinned to it.
func startLocalReplica(t *testing.T, cluster *memCluster, id string, cfg DispatcherConfig, answerer Answerer) *replica {
	t.Helper()
	a := newFakeAdapter("test")
	return runReplica(t, cluster, id, cfg, answerer, a, localAdapter{a})
}

// runReplica runs a dispatcher named id on cluster's store with adapter
// run, whose replies a records.
func runReplica(t *testing.T, cluster *memCluster, id string, cfg DispatcherConfig, answerer Answerer, a *fakeAdapter, run Adapter) *replica {
	t.Helper()
	coord := cluster.replica(id)
	d, err := NewDispatcher(cfg, cluster.store, cluster.store, answerer, WithCoordinator(coord))
	if err != nil {
		t.Fatal(err)
	}
	deliver, stop, done := runDispatcher(t, d, run, a.deliver)
	return &replica{d: d, coord: coord, a: a, deliver: deliver, stop: stop, done: done}
}

// send delivers env to r.
func (r *replica) send(t *testing.T, env Envelope) {
	t.Helper()
	if err := r.deliver(context.Background(), env); err != nil {
		t.Fatalf("deliver %s: %v", env.MessageID, err)
	}
}

// halt stops r and waits for its Run to return.
func (r *replica) halt(t *testing.T) {
	t.Helper()
	r.stop()
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		t.Fatal("replica did not stop")
	}
}

// nextReply waits for r's next reply.
func (r *replica) nextReply(t *testing.T) sent {
	t.Helper()
	select {
	case s := <-r.a.done:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("no reply")
	}
	return sent{}
}

// answered returns the message ids r replied to, in order.
func (r *replica) answered() []MessageID {
	r.a.mu.Lock()
	defer r.a.mu.Unlock()
	var ids []MessageID
	for _, s := range r.a.replies {
		ids = append(ids, s.env.MessageID)
	}
	return ids
}

func TestClusterSurvivorAnswersDeadReplicasTurnsOnce(t *testing.T) {
	store := newMemStore()
	cluster := newMemCluster(store, testLease)
	cfg := testConfig()
	cfg.DrainTimeout = 0
	stuck := stuckAnswerer{started: make(chan string, 8)}
	dying := startReplica(t, cluster, "a", cfg, stuck)
	dying.send(t, msg("c1", "1", "first"))
	dying.send(t, msg("c2", "2", "second"))
	dying.send(t, msg("c1", "3", "third")) // queued behind "first"
	for range 2 {
		<-stuck.started
	}
	cluster.kill("a")
	dying.halt(t) // its turns are cut off and stay pending, leased to "a"

	survivor := startReplica(t, cluster, "b", cfg, &echoAnswerer{})
	got := map[MessageID]string{}
	for range 3 {
		s := survivor.nextReply(t)
		got[s.env.MessageID] = s.reply.Text
	}
	survivor.halt(t)
	want := map[MessageID]string{"1": "echo: first", "2": "echo: second", "3": "echo: third"}
	if len(got) != 3 || got["1"] != want["1"] || got["2"] != want["2"] || got["3"] != want["3"] {
		t.Fatalf("survivor answered %v, want %v", got, want)
	}
	if ids := survivor.answered(); len(ids) != 3 {
		t.Fatalf("survivor sent %d replies (%v), want one per message", len(ids), ids)
	}
	if ids := dying.answered(); len(ids) != 0 {
		t.Fatalf("the dead replica answered %v", ids)
	}
	if ids := survivor.answered(); slices.Index(ids, "1") > slices.Index(ids, "3") {
		t.Fatalf("conversation c1 answered out of order: %v", ids)
	}
	if n := store.pendingCount(); n != 0 {
		t.Fatalf("%d turns still pending", n)
	}
}

func TestClusterConversationRunsOnItsHolder(t *testing.T) {
	// Messages of one conversation accepted on both replicas all run on
	// the replica that holds it, in the order they were accepted.
	store := newMemStore()
	cluster := newMemCluster(store, time.Minute) // no lease expires here
	answerer := &echoAnswerer{}
	gate := answerer.gate("one")
	holder := startReplica(t, cluster, "a", testConfig(), answerer)
	other := startReplica(t, cluster, "b", testConfig(), &echoAnswerer{})

	holder.send(t, msg("c", "1", "one"))
	other.send(t, msg("c", "2", "two"))
	other.send(t, msg("c", "3", "three"))
	holder.send(t, msg("c", "4", "four"))
	close(gate)
	var order []MessageID
	for range 4 {
		order = append(order, holder.nextReply(t).env.MessageID)
	}
	other.halt(t)
	holder.halt(t)
	if want := []MessageID{"1", "2", "3", "4"}; !slices.Equal(order, want) {
		t.Fatalf("holder answered %v, want %v", order, want)
	}
	if ids := other.answered(); len(ids) != 0 {
		t.Fatalf("the other replica answered %v", ids)
	}
	if got := answerer.asked(); !slices.Equal(got, []string{"one", "two", "three", "four"}) {
		t.Fatalf("asked %v", got)
	}
}

func TestClusterReleasedConversationMovesToTheNextAcceptor(t *testing.T) {
	// Once its holder has answered everything, a conversation's lease is
	// given up, and a message accepted on another replica runs there.
	store := newMemStore()
	cluster := newMemCluster(store, time.Minute)
	first := startReplica(t, cluster, "a", testConfig(), &echoAnswerer{})
	second := startReplica(t, cluster, "b", testConfig(), &echoAnswerer{})
	first.send(t, msg("c", "1", "one"))
	first.nextReply(t)
	waitReleased(t, cluster, msg("c", "1", "one").Conversation())
	second.send(t, msg("c", "2", "two"))
	if s := second.nextReply(t); s.env.MessageID != "2" {
		t.Fatalf("second replica answered %s", s.env.MessageID)
	}
	first.halt(t)
	second.halt(t)
}

func TestClusterCleanStopHandsTurnsOnAtOnce(t *testing.T) {
	// A replica stopped cleanly with turns cut off by the drain gives its
	// leases up: another replica runs them without waiting for expiry.
	store := newMemStore()
	cluster := newMemCluster(store, time.Hour) // expiry would never come
	cfg := testConfig()
	cfg.DrainTimeout = 0
	stuck := stuckAnswerer{started: make(chan string, 1)}
	leaving := startReplica(t, cluster, "a", cfg, stuck)
	leaving.send(t, msg("c", "1", "one"))
	<-stuck.started
	leaving.halt(t)
	staying := startReplica(t, cluster, "b", testConfig(), &echoAnswerer{})
	if s := staying.nextReply(t); s.env.MessageID != "1" {
		t.Fatalf("answered %s", s.env.MessageID)
	}
	staying.halt(t)
}

func TestClusterReplicaIDTakenOverStopsAtOnce(t *testing.T) {
	// A renewal that finds the replica's id held by another process stops
	// the dispatcher with that error: the turn in flight is cut off at once
	// instead of draining (the other process runs it), it stays pending,
	// and the id's leases are left to the other process.
	store := newMemStore()
	cluster := newMemCluster(store, testLease)
	cfg := testConfig()
	cfg.DrainTimeout = time.Hour // a drain would outlast the test
	stuck := stuckAnswerer{started: make(chan string, 1)}
	r := startReplica(t, cluster, "a", cfg, stuck)
	first := msg("c", "1", "one")
	r.send(t, first)
	<-stuck.started
	cluster.takeOver("a")
	var err error
	select {
	case err = <-r.done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run went on after the replica id was taken over")
	}
	var inUse *ReplicaIDInUseError
	if !errors.Is(err, ErrReplicaIDInUse) || !errors.As(err, &inUse) || inUse.ReplicaID != "a" || inUse.Host != "other-host" {
		t.Fatalf("Run = %v, want the replica id in use by other-host", err)
	}
	if got := r.answered(); len(got) != 0 {
		t.Errorf("answered %v after losing the replica id", got)
	}
	if pending, _ := store.Pending(context.Background()); len(pending) != 1 || pending[0].MessageID != "1" {
		t.Errorf("pending = %v, want the cut-off turn", pending)
	}
	cluster.mu.Lock()
	defer cluster.mu.Unlock()
	if l := cluster.convs[first.Conversation()]; l.owner != "a" {
		t.Errorf("conversation lease = %+v, want it left to the process holding the id", l)
	}
}

func TestClusterPinnedTurnRunsOnItsAcceptorOnceTheHolderReleases(t *testing.T) {
	// A message whose adapter replies locally, accepted on b while a holds
	// its conversation, waits on b and runs there once a has answered its
	// own turns and given the lease up: in order, and never on a.
	store := newMemStore()
	cluster := newMemCluster(store, time.Minute) // no lease expires here
	answerer := &echoAnswerer{}
	gate := answerer.gate("one")
	holder := startLocalReplica(t, cluster, "a", testConfig(), answerer)
	acceptor := startLocalReplica(t, cluster, "b", testConfig(), answerer)

	holder.send(t, msg("c", "1", "one"))
	acceptor.send(t, msg("c", "2", "two"))
	acceptor.send(t, msg("c", "3", "three"))
	holder.send(t, msg("c", "4", "four"))
	close(gate)
	first := []MessageID{holder.nextReply(t).env.MessageID, holder.nextReply(t).env.MessageID}
	then := []MessageID{acceptor.nextReply(t).env.MessageID, acceptor.nextReply(t).env.MessageID}
	holder.halt(t)
	acceptor.halt(t)
	if !slices.Equal(first, []MessageID{"1", "4"}) || !slices.Equal(holder.answered(), first) {
		t.Fatalf("holder answered %v, want its own turns 1 and 4", holder.answered())
	}
	if !slices.Equal(then, []MessageID{"2", "3"}) || !slices.Equal(acceptor.answered(), then) {
		t.Fatalf("acceptor answered %v, want its pinned turns 2 and 3", acceptor.answered())
	}
	history, _ := store.Recent(context.Background(), msg("c", "", "").Conversation(), 10)
	var asked []string
	for _, m := range history {
		if m.Role == RoleUser {
			asked = append(asked, m.Text)
		}
	}
	if want := []string{"one", "four", "two", "three"}; !slices.Equal(asked, want) {
		t.Fatalf("history holds %v, want the acceptor's turns after the holder's: %v", asked, want)
	}
}

func TestClusterPinnedTurnOfADeadAcceptorIsTakenOver(t *testing.T) {
	// The acceptor of a pinned turn dies while it waits for the
	// conversation: once its lease expires, the turn is taken over and
	// answered like any other.
	store := newMemStore()
	cluster := newMemCluster(store, testLease)
	answerer := &echoAnswerer{}
	gate := answerer.gate("one")
	holder := startLocalReplica(t, cluster, "a", testConfig(), answerer)
	dying := startLocalReplica(t, cluster, "b", testConfig(), &echoAnswerer{})

	holder.send(t, msg("c", "1", "one"))
	dying.send(t, msg("c", "2", "two"))
	cluster.kill("b")
	dying.halt(t)
	close(gate)
	order := []MessageID{holder.nextReply(t).env.MessageID, holder.nextReply(t).env.MessageID}
	holder.halt(t)
	if !slices.Equal(order, []MessageID{"1", "2"}) {
		t.Fatalf("holder answered %v, want 1, then the dead acceptor's 2", order)
	}
	if ids := dying.answered(); len(ids) != 0 {
		t.Fatalf("the dead replica answered %v", ids)
	}
}

// waitReleased waits until conv's lease is given up.
func waitReleased(t *testing.T, c *memCluster, conv ConversationKey) {
	t.Helper()
	for {
		select {
		case got := <-c.released:
			if got == conv {
				return
			}
		case <-time.After(10 * time.Second):
			t.Fatal("conversation still leased")
		}
	}
}

// dropHook is a memStore that calls dropped after every Drop.
type dropHook struct {
	*memStore
	dropped func()
}

func (h dropHook) Drop(ctx context.Context, env Envelope) error {
	err := h.memStore.Drop(ctx, env)
	h.dropped()
	return err
}

func TestClusterTurnHandedOverWhileStartingRuns(t *testing.T) {
	// A handover signalled while the replica still replays its recovered
	// turns (the dispatcher not open yet) is adopted and run, not claimed
	// and left behind.
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		store := newMemStore()
		cluster := newMemCluster(store, time.Minute) // no lease expires here
		gone := msg("old", "0", "for a platform no longer enabled")
		gone.Platform = "gone"
		late := msg("c", "1", "late")
		if _, err := store.Accept(ctx, gone); err != nil {
			t.Fatal(err)
		}
		coord := cluster.replica("a")
		inbox := dropHook{memStore: store, dropped: func() {
			// The replay drops the recovered turn; meanwhile another
			// replica hands over a turn of a conversation "a" holds.
			if _, err := store.Accept(ctx, late); err != nil {
				t.Error(err)
			}
			cluster.mu.Lock()
			cluster.convs[late.Conversation()] = memLease{owner: "a", until: time.Now().Add(time.Minute)}
			cluster.handovers["a"] <- late.Conversation()
			cluster.mu.Unlock()
			synctest.Wait() // whatever may adopt it before the replay ends has
		}}
		d, err := NewDispatcher(testConfig(), inbox, store, &echoAnswerer{}, WithCoordinator(coord))
		if err != nil {
			t.Fatal(err)
		}
		a := newFakeAdapter("test")
		_, stop, done := runDispatcher(t, d, a, a.deliver)
		r := &replica{d: d, a: a, stop: stop, done: done}
		if s := r.nextReply(t); s.env.MessageID != late.MessageID {
			t.Fatalf("answered %s", s.env.MessageID)
		}
		r.halt(t)
	})
}

func TestClusterHandedOverAndNewTurnsQueueInTheOrderClaimed(t *testing.T) {
	// The holder adopts a turn handed over while a message of the same
	// conversation is being accepted on it: the handed-over turn, claimed
	// first, runs first, whichever goroutine gets to the queue first.
	synctest.Test(t, func(t *testing.T) {
		store := newMemStore()
		cluster := newMemCluster(store, time.Minute) // no lease expires here
		answerer := &echoAnswerer{}
		gate := answerer.gate("one")
		holder := startReplica(t, cluster, "a", testConfig(), answerer)
		other := startReplica(t, cluster, "b", testConfig(), &echoAnswerer{})
		third := make(chan error, 1)
		holder.coord.adopted = func() {
			go func() { third <- holder.deliver(context.Background(), msg("c", "3", "three")) }()
			synctest.Wait() // the third message went as far as it could
		}
		holder.send(t, msg("c", "1", "one"))
		other.send(t, msg("c", "2", "two"))
		if err := <-third; err != nil {
			t.Fatal(err)
		}
		close(gate)
		var order []MessageID
		for range 3 {
			order = append(order, holder.nextReply(t).env.MessageID)
		}
		other.halt(t)
		holder.halt(t)
		if want := []MessageID{"1", "2", "3"}; !slices.Equal(order, want) {
			t.Fatalf("holder answered %v, want %v", order, want)
		}
	})
}
