package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"imbot/core"
)

const (
	writeTimeout   = 10 * time.Second // one frame to one client
	closeGrace     = time.Second      // wait for the client's close frame
	deliverTimeout = 10 * time.Second // the dispatcher's durable accept
	frameOverhead  = 64               // rough JSON bytes around a frame's text
)

// Close states of a connection, besides a WebSocket close code to send.
const (
	open        = 0
	closeSilent = -1 // the peer is gone or closed first: just drop the socket
)

// wsConn is one WebSocket connection. Its reader goroutine parses frames and
// delivers messages; its writer goroutine is the only one that writes frames.
// Other goroutines hand frames to the writer through the bounded send queue
// (sendDelta, sendFinal, sendError), which never blocks.
type wsConn struct {
	a       *Adapter
	ws      *websocket.Conn
	session core.ChatID
	wake    chan struct{} // capacity 1: the queue changed

	mu       sync.Mutex
	queue    []any // frames waiting for the writer
	queued   int   // approximate bytes in queue
	closing  int   // open, closeSilent or a close code to send
	inflight map[core.MessageID]time.Time
}

func newWSConn(a *Adapter, ws *websocket.Conn, session core.ChatID) *wsConn {
	return &wsConn{a: a, ws: ws, session: session, wake: make(chan struct{}, 1)}
}

// push appends f to the queue unless the connection is closing. A client so
// far behind that the queue exceeds its limits is disconnected.
func (c *wsConn) push(f any, size int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing != open {
		return
	}
	c.queue = append(c.queue, f)
	c.queued += size
	c.overflowLocked()
	c.signal()
}

// sendDelta queues a chunk of the reply to replyTo, merging it into a delta
// for the same reply that the writer has not taken yet.
func (c *wsConn) sendDelta(replyTo, chunk string) {
	c.mu.Lock()
	if n := len(c.queue); n > 0 && c.closing == open {
		if last, ok := c.queue[n-1].(*deltaFrame); ok && last.ReplyTo == replyTo {
			last.Text += chunk
			c.queued += len(chunk)
			c.overflowLocked()
			c.mu.Unlock()
			return
		}
	}
	c.mu.Unlock()
	c.push(&deltaFrame{Type: "delta", ReplyTo: replyTo, Text: chunk}, len(chunk)+frameOverhead)
}

// sendFinal queues the frame that ends the reply to id and frees its
// in-flight slot.
func (c *wsConn) sendFinal(id core.MessageID, f any) {
	c.release(id)
	c.push(f, frameSize(f))
}

// sendError queues an error frame.
func (c *wsConn) sendError(e *requestError) {
	c.a.metrics.rejected(e.code)
	c.push(errorFrame{Type: "error", ReplyTo: e.replyTo, Code: e.code, Message: e.message}, len(e.message)+frameOverhead)
}

func frameSize(f any) int {
	switch f := f.(type) {
	case doneFrame:
		return len(f.Text) + frameOverhead
	case errorFrame:
		return len(f.Message) + frameOverhead
	}
	return frameOverhead
}

// overflowLocked disconnects a client that cannot keep up. c.mu is held.
func (c *wsConn) overflowLocked() {
	if len(c.queue) <= c.a.queueFrames && c.queued <= c.a.queueBytes {
		return
	}
	c.a.metrics.slowDisconnects.Inc()
	c.a.log.Warn("web: client too slow, disconnecting", "chat_id", c.session, "queued_bytes", c.queued)
	c.closing = closeSilent
	c.queue, c.queued = nil, 0
	_ = c.ws.Close() // unblocks a writer stuck on the socket and the reader
	c.signal()
}

func (c *wsConn) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// stop asks the writer to send a close frame with code (or none, for
// closeSilent) and end the connection. The first call wins.
func (c *wsConn) stop(code int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing == open {
		c.closing = code
		c.signal()
	}
}

// take removes and returns the queued frames and the close state.
func (c *wsConn) take() ([]any, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	frames := c.queue
	c.queue, c.queued = nil, 0
	return frames, c.closing
}

// acquire takes an in-flight slot for id; a message id already in flight
// (a resend) takes none. It reports false when every slot is taken. Slots of
// messages that got no reply within the request timeout expire.
func (c *wsConn) acquire(id core.MessageID) bool {
	now := c.a.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.inflight[id]; ok {
		return true
	}
	for k, deadline := range c.inflight {
		if now.After(deadline) {
			delete(c.inflight, k)
		}
	}
	if len(c.inflight) >= c.a.maxInFlight {
		return false
	}
	if c.inflight == nil {
		c.inflight = make(map[core.MessageID]time.Time, c.a.maxInFlight)
	}
	c.inflight[id] = now.Add(c.a.cfg.RequestTimeout)
	return true
}

func (c *wsConn) release(id core.MessageID) {
	c.mu.Lock()
	delete(c.inflight, id)
	c.mu.Unlock()
}

// writeLoop writes queued frames and pings until the connection closes.
func (c *wsConn) writeLoop() {
	ping := time.NewTicker(c.a.cfg.PingInterval)
	defer ping.Stop()
	for {
		select {
		case <-c.wake:
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeTimeout)); err != nil {
				_ = c.ws.Close()
				return
			}
			continue
		}
		frames, closing := c.take()
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
	if err := c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(closing, ""), deadline); err != nil {
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
				c.a.log.Debug("web: connection ended", "chat_id", c.session, "error", err)
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
		c.sendError(badRequest("", "frames must be JSON text"))
		return
	}
	m, rerr := parseFrame(data, c.a.cfg.MaxMessageBytes)
	if rerr != nil {
		c.sendError(rerr)
		return
	}
	if !c.acquire(m.id) {
		c.sendError(&requestError{code: codeBusy, replyTo: string(m.id), message: "too many messages waiting for a reply on this connection"})
		return
	}
	deliver, runCtx := c.a.deliverer()
	if deliver == nil {
		c.release(m.id)
		c.sendError(&requestError{code: codeBusy, replyTo: string(m.id), message: "the server is shutting down"})
		return
	}
	ctx, cancel := context.WithTimeout(runCtx, deliverTimeout)
	defer cancel()
	c.a.metrics.messages.With("ws").Inc()
	if err := deliver(ctx, c.a.envelope(c.session, m.id, m.text)); err != nil {
		c.release(m.id)
		c.a.log.Warn("web: message not accepted", "chat_id", c.session, "msg_id", m.id, "error", err)
		c.sendError(&requestError{code: codeBusy, replyTo: string(m.id), message: "the message was not accepted; send it again"})
	}
}
