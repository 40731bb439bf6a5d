package feishutest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher"
	larkws "github.com/larksuite/oapi-sdk-go/v3/ws"

	"imbot/adapters/feishu/feishutest"
)

// connect holds one SDK long connection to fake until the test ends; each
// event it receives is sent on got, and acknowledged 200 when accept is
// true, 500 otherwise.
func connect(t *testing.T, fake *feishutest.Server, name string, accept bool, got chan<- string) {
	t.Helper()
	handler := dispatcher.NewEventDispatcher("", "")
	handler.OnCustomizedEvent("im.message.receive_v1", func(context.Context, *larkevent.EventReq) error {
		got <- name
		if !accept {
			return errors.New("not accepted")
		}
		return nil
	})
	cli := larkws.NewClient("cli_test", "secret", larkws.WithEventHandler(handler),
		larkws.WithDomain(fake.URL), larkws.WithLogLevel(larkcore.LogLevelError))
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { defer close(stopped); _ = cli.Start(ctx) }()
	t.Cleanup(func() { cancel(); <-stopped })
}

// waitOpen waits until n long connections are open.
func waitOpen(t *testing.T, fake *feishutest.Server, n int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for fake.OpenConnections() < n {
		select {
		case <-deadline:
			t.Fatalf("%d long connections open, want %d", fake.OpenConnections(), n)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestDeliverEventGoesToOneClientAndMovesOnWhenRefused(t *testing.T) {
	fake := feishutest.New(t, "cli_test", "secret", "ou_bot")
	got := make(chan string, 10)
	connect(t, fake, "refuses", false, got)
	waitOpen(t, fake, 1)
	connect(t, fake, "accepts", true, got)
	waitOpen(t, fake, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	event := feishutest.Event{EventID: "ev_1", MessageID: "om_1", ChatID: "oc_1", ChatType: "p2p", MsgType: "text",
		Content: feishutest.TextContent("hi"), SenderOpenID: "ou_user", Created: time.Now()}.JSON()

	// The clients take turns: one event goes straight to the accepting
	// client, the other is refused first and handed on.
	accepted, handed := 0, 0
	for range 2 {
		attempts, err := fake.DeliverEvent(ctx, event, time.Second, 10*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		handed += attempts
		for range attempts {
			if <-got == "accepts" {
				accepted++
			}
		}
	}
	if accepted != 2 || handed != 3 {
		t.Fatalf("the accepting client got %d of 2 events in %d hand-overs, want 2 in 3", accepted, handed)
	}
	select {
	case extra := <-got:
		t.Fatalf("an accepted event was handed out again, to %q", extra)
	default:
	}
}

func TestDeliverEventWaitsForAConnection(t *testing.T) {
	fake := feishutest.New(t, "cli_test", "secret", "ou_bot")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	attempts, err := fake.DeliverEvent(ctx, []byte(`{}`), time.Second, 10*time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) || attempts != 0 {
		t.Fatalf("without a connection: %d attempts, %v; want 0 and the context's error", attempts, err)
	}
}
