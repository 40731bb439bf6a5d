package web

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"imbot/core"
	"imbot/core/catalog"
)

const (
	websocketGoingAway = websocket.CloseGoingAway
	historyTimeout     = 5 * time.Second
	handshakeTimeout   = 10 * time.Second
	// Small buffers keep idle connections cheap; the write buffer comes from
	// a pool and is held only while a frame is being written.
	readBufferSize  = 256
	writeBufferSize = 4096
)

func newUpgrader(onError func(http.ResponseWriter, *http.Request, int, error)) websocket.Upgrader {
	return websocket.Upgrader{
		HandshakeTimeout: handshakeTimeout,
		ReadBufferSize:   readBufferSize,
		WriteBufferSize:  writeBufferSize,
		WriteBufferPool:  &sync.Pool{},
		// The handler has checked the origin against allowed_origins.
		CheckOrigin: func(*http.Request) bool { return true },
		Error:       onError,
	}
}

// serveWS handles GET /ws: it checks the request, upgrades it, sends the
// ready and history frames and starts the connection's reader and writer.
func (a *Adapter) serveWS(w http.ResponseWriter, r *http.Request) {
	p, rerr := a.admit(r)
	if rerr != nil {
		a.fail(w, r, rerr)
		return
	}
	if !a.limits.allowSession(p, a.now()) {
		a.fail(w, r, rateLimited(p, "", catalog.WebTooManyConnections))
		return
	}
	user, lang, rerr := clientOf(r)
	if rerr != nil {
		a.fail(w, r, rerr)
		return
	}
	if p.who.user != "" {
		user = p.who.user // an identity token names the user; ?user= cannot override it
	}
	session := r.URL.Query().Get("session")
	if session == "" {
		session = newID()
	} else if !validSession(session) {
		a.fail(w, r, badRequest("", "session must be 1..%d characters of [A-Za-z0-9_-]", maxSessionLen))
		return
	}
	if a.hub.connections() >= a.cfg.MaxConnections {
		a.fail(w, r, userError(codeBusy, "", catalog.WebTooManyConnections))
		return
	}
	a.awaitRun(r.Context())
	if !a.begin() {
		a.fail(w, r, userError(codeBusy, "", catalog.WebNotRunning))
		return
	}
	defer a.wg.Done()
	ws, err := a.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered the request
	}
	c := newWSConn(a, ws, core.ChatID(session), p)
	c.user = user
	if !a.register(c) {
		msg := websocket.FormatCloseMessage(websocket.CloseTryAgainLater, "busy")
		_ = ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(closeGrace))
		_ = ws.Close()
		return
	}
	first := []any{readyFrame{Type: "ready", Session: session}}
	if h, ok := a.loadHistory(r.Context(), c.session); ok {
		first = append(first, h)
	}
	first = append(first, a.openingFrames(r.Context(), c, lang)...)
	c.start(first)
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		c.readLoop()
	}()
}

// loadHistory returns the history frame of a resumed session, if it has
// history. A store failure is logged: the chat works without the frame.
func (a *Adapter) loadHistory(ctx context.Context, session core.ChatID) (historyFrame, bool) {
	if a.cfg.HistoryMessages == 0 {
		return historyFrame{}, false
	}
	ctx, cancel := context.WithTimeout(ctx, historyTimeout)
	defer cancel()
	conv := a.envelope(session, "", "", peer{}).Conversation()
	msgs, err := a.history.Recent(ctx, conv, a.cfg.HistoryMessages)
	if err != nil {
		a.log.Warn("web: load history", "chat_id", session, "err", err)
		return historyFrame{}, false
	}
	if len(msgs) == 0 {
		return historyFrame{}, false
	}
	return newHistoryFrame(msgs), true
}

// admit checks the host, the origin and the token of a /ws or /api/chat
// request, and returns what it learnt about the client.
func (a *Adapter) admit(r *http.Request) (peer, *requestError) {
	if !a.hosts.allow(r) {
		return peer{}, &requestError{code: codeForbidden, message: "host not allowed: an open chat (no tokens) answers only to " +
			"localhost unless [adapters.web] allowed_hosts names the host"}
	}
	if !a.origins.allow(r) {
		return peer{}, userError(codeForbidden, "", catalog.WebOriginDenied)
	}
	who, rerr := a.identify(r)
	if rerr != nil {
		return peer{}, rerr
	}
	return peer{who: who, ip: a.limits.clientIP(r), lang: langOf(r), hint: langHint(r)}, nil
}

// upgradeError answers a failed WebSocket handshake in the JSON error shape.
func (a *Adapter) upgradeError(w http.ResponseWriter, _ *http.Request, status int, reason error) {
	writeJSON(w, status, errorBody{Error: errorDetail{Code: codeBadRequest, Message: reason.Error()}})
}
