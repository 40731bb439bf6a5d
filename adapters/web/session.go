package web

import (
	"crypto/rand"
	"encoding/base64"
	"sync"

	"imbot/core"
)

const (
	maxSessionLen   = 64
	maxMessageIDLen = 128
	randomIDBytes   = 16 // 128 bits: session ids are bearer capabilities for a history
)

// newID returns a random URL-safe id (22 characters).
func newID() string {
	var b [randomIDBytes]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// validSession reports whether s is a well-formed session id: 1..64
// characters from [A-Za-z0-9_-].
func validSession(s string) bool {
	if s == "" || len(s) > maxSessionLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validMessageID reports whether s is a usable client message id: 1..128
// printable ASCII characters without spaces.
func validMessageID(s string) bool {
	if s == "" || len(s) > maxMessageIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// waitKey names one message of one session, for /api/chat waiters.
type waitKey struct {
	session core.ChatID
	id      core.MessageID
}

// hub knows who listens to each session: the WebSocket connections attached
// to it and the /api/chat requests waiting for a reply. It is safe for
// concurrent use; no method blocks on I/O.
type hub struct {
	mu      sync.Mutex
	conns   map[core.ChatID][]*wsConn
	count   int
	waiters map[waitKey][]chan core.Reply
	stops   stopSet // replies a client stopped
}

func newHub() *hub {
	return &hub{conns: make(map[core.ChatID][]*wsConn), waiters: make(map[waitKey][]chan core.Reply)}
}

// attach adds c to its session unless max connections are already attached.
func (h *hub) attach(c *wsConn, max int) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.count >= max {
		return false
	}
	h.conns[c.session] = append(h.conns[c.session], c)
	h.count++
	return true
}

// detach removes c; it is a no-op when c is not attached.
func (h *hub) detach(c *wsConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	list := h.conns[c.session]
	for i, x := range list {
		if x != c {
			continue
		}
		list[i] = list[len(list)-1]
		list[len(list)-1] = nil
		list = list[:len(list)-1]
		h.count--
		if len(list) == 0 {
			delete(h.conns, c.session)
		} else {
			h.conns[c.session] = list
		}
		return
	}
}

// listeners returns a snapshot of the connections attached to session.
func (h *hub) listeners(session core.ChatID) []*wsConn {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*wsConn(nil), h.conns[session]...)
}

// all returns a snapshot of every attached connection.
func (h *hub) all() []*wsConn {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*wsConn, 0, h.count)
	for _, list := range h.conns {
		out = append(out, list...)
	}
	return out
}

// connections returns the number of attached connections.
func (h *hub) connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.count
}

// wait registers a waiter for the reply to k. The returned channel receives
// that reply at most once; cancel must be called when the caller stops
// waiting.
func (h *hub) wait(k waitKey) (ch <-chan core.Reply, cancel func()) {
	c := make(chan core.Reply, 1)
	h.mu.Lock()
	h.waiters[k] = append(h.waiters[k], c)
	h.mu.Unlock()
	return c, func() { h.unwait(k, c) }
}

func (h *hub) unwait(k waitKey, c chan core.Reply) {
	h.mu.Lock()
	defer h.mu.Unlock()
	list := h.waiters[k]
	for i, x := range list {
		if x != c {
			continue
		}
		list = append(list[:i], list[i+1:]...)
		if len(list) == 0 {
			delete(h.waiters, k)
		} else {
			h.waiters[k] = list
		}
		return
	}
}

// resolve hands reply to every waiter of k and forgets them.
func (h *hub) resolve(k waitKey, reply core.Reply) {
	h.mu.Lock()
	list := h.waiters[k]
	delete(h.waiters, k)
	h.mu.Unlock()
	for _, c := range list {
		c <- reply // buffered, and each channel is resolved once
	}
}
