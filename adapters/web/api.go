package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"imbot/core"
	"imbot/core/catalog"
	"imbot/core/kit"
)

// chatResponse is the 200 body of POST /api/chat.
type chatResponse struct {
	Session  string `json:"session"`
	Text     string `json:"text"`
	Route    string `json:"route"`
	Provider string `json:"provider"`
	Model    string `json:"model"`
}

// errorBody is the body of every HTTP error this package answers.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// serveChat handles POST /api/chat: one message in, the whole reply out.
func (a *Adapter) serveChat(w http.ResponseWriter, r *http.Request) {
	// The listener has no read timeout (WebSockets share it): bound how long
	// a client may take to send its body, also when it is refused and the
	// server discards the rest.
	kit.BodyDeadline(w, a.bodyTimeout)
	p, rerr := a.admit(r)
	if rerr != nil {
		a.fail(w, r, rerr)
		return
	}
	if !a.limits.allowTurn(p, a.now()) {
		a.fail(w, r, rateLimited(p, "", catalog.RateLimited))
		return
	}
	a.awaitRun(r.Context())
	deliver, _ := a.deliverer()
	if deliver == nil {
		a.fail(w, r, userError(codeBusy, "", catalog.WebNotRunning))
		return
	}
	body, err := kit.ReadBody(w, r, int64(a.frameLimit), a.bodyTimeout)
	switch {
	case errors.Is(err, kit.ErrBodyTooLarge):
		a.fail(w, r, userError(codeTooLarge, "", catalog.WebTooLarge))
		return
	case errors.Is(err, kit.ErrBodyTimeout):
		a.fail(w, r, badRequest("", "request body not received within %s", a.bodyTimeout))
		return
	case err != nil:
		a.fail(w, r, badRequest("", "%v", err))
		return
	}
	m, rerr := parseChatRequest(body, a.cfg.MaxMessageBytes)
	if rerr != nil {
		a.fail(w, r, rerr)
		return
	}
	if m.session == "" {
		m.session = core.ChatID(newID())
	}
	if m.id == "" {
		m.id = core.MessageID(newID())
	}
	a.metrics.messages.With("api").Inc()
	reply, rerr := a.ask(r.Context(), deliver, m, p)
	if rerr != nil {
		a.fail(w, r, rerr)
		return
	}
	writeJSON(w, http.StatusOK, chatResponse{Session: string(m.session), Text: reply.Text,
		Route: string(reply.Route), Provider: reply.Provider, Model: reply.Model})
}

// ask delivers m and waits for its reply, at most request_timeout. The
// waiter is registered first: the dispatcher may answer a refusal before
// deliver returns.
func (a *Adapter) ask(ctx context.Context, deliver core.DeliverFunc, m userMessage, p peer) (core.Reply, *requestError) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.RequestTimeout)
	defer cancel()
	replies, stop := a.hub.wait(waitKey{session: m.session, id: m.id})
	defer stop()
	if err := deliver(ctx, a.envelope(m.session, m.id, m.text, p)); err != nil {
		a.log.Warn("web: message not accepted", "chat_id", m.session, "msg_id", m.id, "err", err)
		return core.Reply{}, userError(codeBusy, "", catalog.WebNotAccepted)
	}
	select {
	case reply := <-replies:
		if f, ok := finalFrame(m.id, reply).(errorFrame); ok {
			return core.Reply{}, &requestError{code: f.Code, message: f.Message}
		}
		return reply, nil
	case <-ctx.Done():
		return core.Reply{}, userError(codeTimeout, "", catalog.WebTimeout)
	case <-a.stopped:
		return core.Reply{}, userError(codeBusy, "", catalog.WebShuttingDown)
	}
}

// statusOf maps an error code to its HTTP status.
func statusOf(code string) int {
	switch code {
	case codeTooLarge:
		return http.StatusRequestEntityTooLarge
	case codeRateLimited:
		return http.StatusTooManyRequests
	case codeBusy:
		return http.StatusServiceUnavailable
	case codeUnauthorized:
		return http.StatusUnauthorized
	case codeForbidden:
		return http.StatusForbidden
	case codeTimeout:
		return http.StatusGatewayTimeout
	}
	return http.StatusBadRequest
}

// fail answers a request with the JSON error body of e.
func (a *Adapter) fail(w http.ResponseWriter, r *http.Request, e *requestError) {
	e = a.localize(e, langHint(r))
	a.metrics.rejected(e.code)
	if e.code == codeUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="imbot"`)
	}
	writeJSON(w, statusOf(e.code), errorBody{Error: errorDetail{Code: e.code, Message: e.message}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client may be gone; nothing to do then
}
