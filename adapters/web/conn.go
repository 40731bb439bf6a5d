package web

import (
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

// maxAlso bounds the message ids one coalesced refusal frame lists. A client
// that gets that many refused before it reads one frame is flooding and is
// disconnected.
const maxAlso = 1000

// Close codes and reasons of a connection the server ends for cause.
const (
	closeTooSlow   = websocket.CloseTryAgainLater // 1013
	reasonTooSlow  = "too slow: the send queue is full"
	closeFlooding  = websocket.ClosePolicyViolation // 1008
	reasonFlooding = "too many messages refused; slow down"
)

// wsConn is one WebSocket connection.
//
// Its reader goroutine parses frames and delivers messages for the life of
// the connection. Writing is done by a writer goroutine that runs only while
// there is something to write (queued frames, a due ping, a close frame) and
// exits when the queue is empty: at most one runs at a time, and it is the
// only one that writes frames, so an idle connection costs one goroutine.
// Other goroutines hand frames to the writer through the bounded send queue
// (sendDelta, sendFinal, sendError), which never blocks.
type wsConn struct {
	a       *Adapter
	ws      *websocket.Conn
	session core.ChatID
	peer    peer
	user    core.UserID // "" when the client named no user
	ping    *time.Timer

	mu      sync.Mutex
	queue   []any // frames waiting for the writer
	queued  int   // approximate bytes in queue
	closing int   // open, closeSilent or a close code to send
	// closeReason goes with the close code when the server ends the
	// connection for cause.
	closeReason string
	started     bool // the writer may run
	writing     bool // a writer is running (or the connection is dead)
	pingDue     bool
	inflight    map[core.MessageID]time.Time
	// refusing holds the refusal frames in the queue the writer has not
	// taken yet, by code, so that further refusals join them.
	refusing map[string]*errorFrame
}

func newWSConn(a *Adapter, ws *websocket.Conn, session core.ChatID, p peer) *wsConn {
	return &wsConn{a: a, ws: ws, session: session, peer: p}
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
	c.kickLocked()
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

// refuse tells the client that the message f.ReplyTo was refused and frees
// its in-flight slot. Refusals are coalesced: while a refusal frame with the
// same code waits in the queue, the id joins its Also list instead of
// queueing a frame of its own, so refusals never fill the queue that the
// answers need. A client that floods past maxAlso refusals without reading
// is disconnected with close code 1008.
func (c *wsConn) refuse(f errorFrame) {
	c.release(core.MessageID(f.ReplyTo))
	c.a.metrics.rejected(f.Code)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing != open {
		return
	}
	if q := c.refusing[f.Code]; q != nil {
		if len(q.Also) >= maxAlso {
			c.closeForLocked("web: client floods without reading, disconnecting", closeFlooding, reasonFlooding)
			return
		}
		q.Also = append(q.Also, f.ReplyTo)
		return
	}
	if c.refusing == nil {
		c.refusing = make(map[string]*errorFrame)
	}
	c.refusing[f.Code] = &f
	c.queue = append(c.queue, &f)
	c.kickLocked()
}

// refuseRequest refuses the message a request error names (see refuse).
func (c *wsConn) refuseRequest(e *requestError) {
	e = c.a.localize(e, c.peer.hint)
	c.refuse(errorFrame{Type: "error", ReplyTo: e.replyTo, Code: e.code, Message: e.message})
}

// sendError queues an error frame.
func (c *wsConn) sendError(e *requestError) {
	e = c.a.localize(e, c.peer.hint)
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

// overflowLocked disconnects a client that cannot keep up, with close code
// 1013. Refusal frames do not count against the limits. c.mu is held.
func (c *wsConn) overflowLocked() {
	if len(c.queue)-len(c.refusing) <= c.a.queueFrames && c.queued <= c.a.queueBytes {
		return
	}
	c.a.metrics.slowDisconnects.Inc()
	c.closeForLocked("web: client too slow, disconnecting", closeTooSlow, reasonTooSlow)
}

// closeForLocked ends the connection for cause: it drops the queue and has
// the writer send a close frame with code and reason as soon as it is free.
// A writer stuck on a client whose buffers are full gives up after
// writeTimeout and drops the socket instead. c.mu is held.
func (c *wsConn) closeForLocked(logMsg string, code int, reason string) {
	c.a.log.Warn(logMsg, "chat_id", c.session, "queued_bytes", c.queued, "close_code", code)
	c.closing, c.closeReason = code, reason
	c.queue, c.queued, c.refusing = nil, 0, nil
	c.kickLocked()
}

// reason returns the reason to send with the close frame.
func (c *wsConn) reason() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeReason
}

// start lets the writer run, with first queued ahead of the frames queued
// since the connection was attached, and starts the ping timer.
func (c *wsConn) start(first []any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queue = append(first, c.queue...)
	c.started = true
	c.ping = time.AfterFunc(c.a.cfg.PingInterval, c.pingTick)
	c.kickLocked()
}

// kickLocked starts a writer unless one is running. c.mu is held. It runs
// only while the connection is open or closing under the reader's or Run's
// watch, so the reader's own count keeps the WaitGroup above zero here.
func (c *wsConn) kickLocked() {
	if !c.started || c.writing {
		return
	}
	c.writing = true
	c.a.wg.Add(1)
	go c.flush()
}

// pingTick asks the writer for a ping and rearms the timer.
func (c *wsConn) pingTick() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing != open {
		return
	}
	c.pingDue = true
	c.kickLocked()
	c.ping.Reset(c.a.cfg.PingInterval)
}

// stop asks the writer to send a close frame with code (or none, for
// closeSilent) and end the connection. The first call wins.
func (c *wsConn) stop(code int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing == open {
		c.closing = code
		c.kickLocked()
	}
}

// take removes and returns what the writer has to do; when there is nothing
// it marks the writer stopped and reports done.
func (c *wsConn) take() (frames []any, closing int, ping, done bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	frames, closing, ping = c.queue, c.closing, c.pingDue
	c.queue, c.queued, c.pingDue, c.refusing = nil, 0, false, nil
	if len(frames) == 0 && closing == open && !ping {
		c.writing = false
		return nil, open, false, true
	}
	return frames, closing, ping, false
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
