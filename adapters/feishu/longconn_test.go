package feishu

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"imbot/core"
)

func TestLongConnectionDeliversAcksAndReconnects(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Mode = ModeWebSocket
		c.VerificationToken, c.EncryptKey = "", "" // not needed on the long connection
	})
	var failNext atomic.Bool
	h.deliver = func(_ context.Context, env core.Envelope) error {
		if failNext.Swap(false) {
			return errors.New("store unavailable")
		}
		h.delivered <- env
		return nil
	}
	stop := h.serve() // returns once connected and the bot is known
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	e := h.event("1", "hello over ws")
	if code, err := h.fake.PushEvent(ctx, e.JSON()); err != nil || code != http.StatusOK {
		t.Fatalf("ack %d, %v; want 200", code, err)
	}
	if env := <-h.delivered; env.Text != "hello over ws" || env.EventID != "ev_1" {
		t.Fatalf("delivered %+v", env)
	}

	failNext.Store(true)
	if code, err := h.fake.PushEvent(ctx, h.event("2", "x").JSON()); err != nil || code != http.StatusInternalServerError {
		t.Fatalf("ack %d, %v; want 500 when not accepted, so Feishu redelivers", code, err)
	}

	h.fake.DropConnections()
	h.waitFor("reconnect", func() bool { return h.fake.Connects() >= 2 && h.fake.Connected() && h.a.Check(ctx) == nil })
	if code, err := h.fake.PushEvent(ctx, h.event("3", "after reconnect").JSON()); err != nil || code != http.StatusOK {
		t.Fatalf("after reconnect: ack %d, %v", code, err)
	}
	<-h.delivered
	if got, _ := h.metrics.Value("imbot_feishu_reconnects_total"); got < 1 {
		t.Errorf("reconnects metric %v, want ≥ 1", got)
	}
	stop()
	h.waitFor("connection closed on shutdown", func() bool { return !h.fake.Connected() })
}
