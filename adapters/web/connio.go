package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/gorilla/websocket"

	"imbot/core"
	"imbot/core/catalog"
)

// flush is the writer: it writes what is queued, pings when a ping is due,
// and ends the connection when it is closing. It exits when there is nothing
// left to do, or for good when the connection fails or closes.
func (c *wsConn) flush() {
	defer c.a.wg.Done()
	for {
		frames, closing, ping, done := c.take()
		if done {
			return
		}
		if ping {
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeTimeout)); err != nil {
				_ = c.ws.Close()
				return
			}
		}
		for _, f := range frames {
			if err := c.write(f); err != nil {
				_ = c.ws.Close()
				return
			}
		}
		if closing != open {
			c.finish(closing)
			return
		}
	}
}

func (c *wsConn) write(f any) error {
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if err := c.ws.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return err
	}
	return c.ws.WriteMessage(websocket.TextMessage, data)
}

// finish ends the connection from the writer's side: it sends the close
// frame, if any, and gives the reader closeGrace to see the client's answer
// before the reader drops the socket.
func (c *wsConn) finish(closing int) {
	if closing == closeSilent {
		_ = c.ws.Close()
		return
	}
	deadline := time.Now().Add(closeGrace)
	msg := websocket.FormatCloseMessage(closing, c.reason())
	if err := c.ws.WriteControl(websocket.CloseMessage, msg, deadline); err != nil {
		_ = c.ws.Close()
		return
	}
	_ = c.ws.SetReadDeadline(deadline)
}

// readLoop reads and handles frames until the connection fails or closes,
// then detaches the connection, stops the writer and drops the socket.
func (c *wsConn) readLoop() {
	defer func() {
		c.a.hub.detach(c)
		c.stop(closeSilent)
		c.ping.Stop()
		_ = c.ws.Close()
	}()
	pongWait := 2 * c.a.cfg.PingInterval
	extend := func(string) error { return c.ws.SetReadDeadline(time.Now().Add(pongWait)) }
	c.ws.SetReadLimit(int64(c.a.frameLimit))
	c.ws.SetPongHandler(extend)
	if err := extend(""); err != nil {
		return
	}
	for {
		kind, data, err := c.ws.ReadMessage()
		if errors.Is(err, websocket.ErrReadLimit) {
			// gorilla has sent close 1009; read what the client still sends
			// so that closing does not reset the connection under it.
			_ = c.ws.SetReadDeadline(time.Now().Add(closeGrace))
			_, _ = io.Copy(io.Discard, c.ws.NetConn())
			return
		}
		if err != nil {
			if websocket.IsUnexpectedCloseError(err, websocket.CloseGoingAway, websocket.CloseNormalClosure, websocket.CloseNoStatusReceived) {
				c.a.log.Debug("web: connection ended", "chat_id", c.session, "err", err)
			}
			return
		}
		_ = extend("")
		c.handle(kind, data)
	}
}

// handle validates one frame and delivers the message it carries.
func (c *wsConn) handle(kind int, data []byte) {
	if kind != websocket.TextMessage {
		c.sendError(userError(codeBadRequest, "", catalog.WebBadFrame))
		return
	}
	if c.control(data) {
		return
	}
	m, rerr := parseFrame(data, c.a.cfg.MaxMessageBytes)
	if rerr != nil {
		c.sendError(rerr)
		return
	}
	if !c.a.limits.allowTurn(c.peer, c.a.now()) {
		c.sendError(rateLimited(c.peer, string(m.id), catalog.RateLimited))
		return
	}
	if !c.acquire(m.id) {
		c.refuseRequest(userError(codeBusy, string(m.id), catalog.WebTooManyWaiting))
		return
	}
	deliver, runCtx := c.a.deliverer()
	if deliver == nil {
		c.refuseRequest(userError(codeBusy, string(m.id), catalog.WebShuttingDown))
		return
	}
	ctx, cancel := context.WithTimeout(runCtx, deliverTimeout)
	defer cancel()
	c.a.metrics.messages.With("ws").Inc()
	if err := deliver(ctx, c.envelopeOf(m)); err != nil {
		c.a.log.Warn("web: message not accepted", "chat_id", c.session, "msg_id", m.id, "err", err)
		c.refuseRequest(userError(codeBusy, string(m.id), notAccepted(err)))
		return
	}
	c.noteMessage(ctx, m)
}

// notAccepted is the catalogue text that says why deliver did not take a
// message.
func notAccepted(err error) catalog.ID {
	if errors.Is(err, core.ErrStopping) {
		return catalog.WebShuttingDown
	}
	return catalog.WebNotAccepted
}
