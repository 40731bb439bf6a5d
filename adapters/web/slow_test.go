package web

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"imbot/core"
	"imbot/metric"
)

// A burst of updates to a client that reads slowly is coalesced: the deltas
// add up to the reply and the done frame arrives.
func TestWSCoalescesDeltas(t *testing.T) {
	e := newTestEnv(t, testConfig(), true)
	c := e.dial(t, url.Values{"session": {"burst"}}, nil)
	expect(t, c, "ready")
	send(t, c, message("b1", "go"))
	env := e.d.next(t)
	parts := make([]string, 2000)
	for i := range parts {
		parts[i] = "tok" + string(rune('a'+i%26)) + " "
	}
	full := strings.Join(parts, "")
	e.d.answer(t, env, core.Reply{Text: full, Route: core.RouteModel}, parts...)
	frames := 0
	var text strings.Builder
	for {
		f := read(t, c)
		frames++
		if f.Type == "done" {
			break
		}
		text.WriteString(f.Text)
	}
	if text.String() != full {
		t.Fatalf("deltas add up to %d bytes, want %d", text.Len(), len(full))
	}
	if frames > len(parts) {
		t.Fatalf("%d frames for %d updates", frames, len(parts))
	}
}

// A client that stops reading is disconnected once its queue overflows, and
// the dispatcher's Update and Finish never wait for it.
func TestWSStuckClientIsDisconnected(t *testing.T) {
	reg := metric.NewRegistry()
	e := newTestEnv(t, testConfig(), true, WithSendQueue(64, 1<<20), WithMetrics(reg))
	stuck := e.dial(t, url.Values{"session": {"stuck"}}, nil)
	expect(t, stuck, "ready")
	send(t, stuck, message("s1", "flood me"))
	env := e.d.next(t)
	w, err := e.a.Reply(t.Context(), env)
	if err != nil {
		t.Fatal(err)
	}
	const chunk = 64 << 10
	reply := strings.Repeat("z", 512*chunk) // far more than loopback socket buffers hold
	start := time.Now()
	sent := 0
	for e.a.hub.connections() > 0 && sent < len(reply) {
		sent += chunk
		if err := w.Update(t.Context(), reply[:sent]); err != nil {
			t.Fatal(err)
		}
	}
	if sent < 1<<20 {
		t.Fatalf("disconnected after %d bytes, before the queue could overflow", sent)
	}
	if err := w.Finish(t.Context(), core.Reply{Text: reply[:sent], Route: core.RouteModel}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Update and Finish took %s for a stuck client", d)
	}
	deadline := time.Now().Add(waitTimeout)
	for e.a.hub.connections() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("stuck client still attached")
		}
		<-time.After(time.Millisecond)
	}
	if got, _ := reg.Value("imbot_web_slow_disconnects_total"); got != 1 {
		t.Fatalf("slow disconnects = %v, want 1", got)
	}
	// The client finds its connection gone once it reads again.
	_ = stuck.SetReadDeadline(time.Now().Add(waitTimeout))
	for {
		if _, _, err := stuck.ReadMessage(); err != nil {
			if websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
				t.Fatalf("unexpected close: %v", err)
			}
			break
		}
	}
}

// A client that floods while its connection is backed up gets its refusals
// coalesced into one error frame (reply_to the first, also the rest) and
// stays connected: refusals do not fill the queue the answers need. (The
// queue is inspected: the client's tiny receive buffer would take minutes
// to read the backlog.)
func TestWSFloodRefusalsAreCoalesced(t *testing.T) {
	reg := metric.NewRegistry()
	e := newTestEnv(t, testConfig(), true, WithSendQueue(8, 64<<20), WithMaxInFlight(4), WithMetrics(reg))
	c := dialSmallBuffer(t, e.wsURL(url.Values{"session": {"flood"}}))
	expect(t, c, "ready")
	send(t, c, message("m0", "big answer"))
	env := e.d.next(t)
	w, err := e.a.Reply(t.Context(), env)
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("z", 8<<20) // more than the socket buffers hold: the writer blocks
	if err := w.Update(t.Context(), big); err != nil {
		t.Fatal(err)
	}
	const n = 100
	for i := 1; i <= n; i++ {
		send(t, c, message(fmt.Sprint("m", i), "flood"))
	}
	for range 3 {
		e.d.next(t) // m1..m3 take the other in-flight slots
	}
	deadline := time.Now().Add(waitTimeout)
	for {
		got, _ := reg.Value("imbot_web_errors_total", codeBusy)
		if got == n-3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("busy refusals %v, want %d", got, n-3)
		}
		<-time.After(time.Millisecond)
	}
	if e.a.hub.connections() != 1 {
		t.Fatal("the flooding client was disconnected")
	}
	conn := e.a.hub.listeners("flood")[0]
	conn.mu.Lock()
	defer conn.mu.Unlock()
	var refused []string
	frames := 0
	for _, f := range conn.queue {
		if f, ok := f.(*errorFrame); ok {
			frames++
			refused = append(append(refused, f.ReplyTo), f.Also...)
		}
	}
	// The writer may have taken the first refusals before it blocked; what
	// waits is one frame for the rest, in order.
	if frames != 1 || refused[len(refused)-1] != fmt.Sprint("m", n) || len(refused) < 2 {
		t.Fatalf("%d refusal frames waiting for %v, want one for the last ones up to m%d", frames, refused, n)
	}
	for i := 1; i < len(refused); i++ {
		if refused[i] != fmt.Sprint("m", n-len(refused)+1+i) {
			t.Fatalf("refused %v: not in order", refused)
		}
	}
}

// dialSmallBuffer dials url with a small socket receive buffer, so that a
// large frame the client does not read soon blocks the server's writer.
func dialSmallBuffer(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		conn, err := net.Dial(network, addr)
		if tcp, ok := conn.(*net.TCPConn); ok {
			err = errors.Join(err, tcp.SetReadBuffer(4096))
		}
		return conn, err
	}}
	c, _, err := d.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// A connection the server ends for cause gets a close frame with the code
// and reason once its writer is free, not a bare TCP close.
func TestWSCloseForCauseSendsCodeAndReason(t *testing.T) {
	e := newTestEnv(t, testConfig(), true)
	c := e.dial(t, url.Values{"session": {"cause"}}, nil)
	expect(t, c, "ready")
	conn := e.a.hub.listeners("cause")[0]
	conn.mu.Lock()
	conn.closeForLocked("test: closing for cause", closeTooSlow, reasonTooSlow)
	conn.mu.Unlock()
	_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
	_, _, err := c.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != closeTooSlow || ce.Text != reasonTooSlow {
		t.Fatalf("read: %v, want close %d %q", err, closeTooSlow, reasonTooSlow)
	}
}
