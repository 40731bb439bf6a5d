package telegram

import (
	"context"
	"testing"
	"time"

	"imbot/adapters/telegram/telegramtest"
)

// grantedLeadership is a core.Leadership the test grants and revokes: Lead
// tells asked, then waits for a lease on grants; cancelling the lease's
// context revokes it.
type grantedLeadership struct {
	asked  chan struct{}
	grants chan context.Context
}

func (g grantedLeadership) Lead(ctx context.Context, name string) (context.Context, func(), error) {
	g.asked <- struct{}{}
	select {
	case lease := <-g.grants:
		held, cancel := context.WithCancel(ctx)
		stop := context.AfterFunc(lease, cancel)
		return held, func() { stop(); cancel() }, nil
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
}

func TestPollingOnlyWhileHoldingThePollLease(t *testing.T) {
	fake := newFake(t)
	lead := grantedLeadership{asked: make(chan struct{}, 1), grants: make(chan context.Context)}
	a := newAdapter(t, testConfig(fake), &memCursors{}, WithLeadership(lead))
	in := newInbox()
	ann := telegramtest.User(42, "Ann")
	dm := telegramtest.PrivateChat(ann)
	fake.PushMessage(fake.NewMessage(dm, ann, "one"))
	start(t, a, in.deliver)

	waitAsked(t, lead)
	if n := len(fake.Calls("getUpdates")); n != 0 {
		t.Fatalf("%d polls before holding the lease", n)
	}
	lease, revoke := context.WithCancel(context.Background())
	lead.grants <- lease
	if envs := in.wait(t, 1); envs[0].Text != "one" {
		t.Fatalf("delivered %q", envs[0].Text)
	}
	revoke()
	waitAsked(t, lead) // polling stopped and the adapter waits for the lease again
	// A poll sent as the lease ended may reach the fake a moment later.
	polls := settledCalls(fake, "getUpdates")
	fake.PushMessage(fake.NewMessage(dm, ann, "two"))
	if n := settledCalls(fake, "getUpdates"); n != polls {
		t.Fatalf("polled without the lease: %d calls, was %d", n, polls)
	}
	if envs := in.all(); len(envs) != 1 {
		t.Fatalf("%d messages delivered without the lease, want only the first", len(envs))
	}
	lead.grants <- context.Background()
	if envs := in.wait(t, 2); envs[1].Text != "two" {
		t.Fatalf("delivered %q after the lease came back", envs[1].Text)
	}
}

// settledCalls returns how many calls of method the fake has recorded once
// the count has not changed for 50 ms.
func settledCalls(fake *telegramtest.Server, method string) int {
	n := len(fake.Calls(method))
	for {
		time.Sleep(50 * time.Millisecond)
		m := len(fake.Calls(method))
		if m == n {
			return n
		}
		n = m
	}
}

// waitAsked waits for the adapter to ask for the poll lease.
func waitAsked(t *testing.T, g grantedLeadership) {
	t.Helper()
	select {
	case <-g.asked:
	case <-time.After(10 * time.Second):
		t.Fatal("the adapter did not ask for the poll lease")
	}
}
