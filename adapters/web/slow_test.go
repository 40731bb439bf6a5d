package web

import (
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
