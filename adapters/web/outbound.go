package web

import (
	"context"
	"time"
	"unicode/utf8"

	"imbot/core"
)

// Frames the server sends. The field names are the wire protocol.
type (
	readyFrame struct {
		Type    string `json:"type"` // "ready"
		Session string `json:"session"`
	}
	historyFrame struct {
		Type     string           `json:"type"` // "history"
		Messages []historyMessage `json:"messages"`
	}
	historyMessage struct {
		Role string `json:"role"`
		Text string `json:"text"`
		At   string `json:"at"` // RFC 3339
		// Route, Provider and Model say what produced an assistant message,
		// as in the done frame; omitted for user messages.
		Route    string `json:"route,omitempty"`
		Provider string `json:"provider,omitempty"`
		Model    string `json:"model,omitempty"`
	}
	deltaFrame struct {
		Type    string `json:"type"` // "delta"
		ReplyTo string `json:"reply_to"`
		Text    string `json:"text"`
	}
	doneFrame struct {
		Type     string `json:"type"` // "done"
		ReplyTo  string `json:"reply_to"`
		Text     string `json:"text"`
		Route    string `json:"route"`
		Provider string `json:"provider"`
		Model    string `json:"model"`
		// Stopped: a client stopped the reply; Text is what the turn ended with.
		Stopped bool `json:"stopped,omitempty"`
	}
	errorFrame struct {
		Type    string `json:"type"` // "error"
		ReplyTo string `json:"reply_to"`
		Code    string `json:"code"`
		Message string `json:"message"`
		// Also lists the other messages refused for the same reason, in
		// order, when refusals were coalesced into one frame.
		Also []string `json:"also,omitempty"`
	}
)

func newHistoryFrame(msgs []core.Message) historyFrame {
	f := historyFrame{Type: "history", Messages: make([]historyMessage, len(msgs))}
	for i, m := range msgs {
		f.Messages[i] = historyMessage{Role: string(m.Role), Text: m.Text, At: m.At.UTC().Format(time.RFC3339),
			Route: string(m.Route), Provider: m.Provider, Model: m.Model}
	}
	return f
}

// refusalFrame is the error frame of a refusal by the dispatcher; false
// for a reply that is not a refusal.
func refusalFrame(replyTo core.MessageID, r core.Reply) (errorFrame, bool) {
	switch r.Refusal {
	case core.RefusalBusy:
		return errorFrame{Type: "error", ReplyTo: string(replyTo), Code: codeBusy, Message: refusalMessage(r, "the bot is busy; try again soon")}, true
	case core.RefusalRateLimited:
		return errorFrame{Type: "error", ReplyTo: string(replyTo), Code: codeRateLimited, Message: refusalMessage(r, "too many messages; slow down")}, true
	}
	return errorFrame{}, false
}

// finalFrame is the frame that ends a reply: an error frame for a refusal,
// else a done frame.
func finalFrame(replyTo core.MessageID, r core.Reply) any {
	if f, ok := refusalFrame(replyTo, r); ok {
		return f
	}
	return doneFrame{Type: "done", ReplyTo: string(replyTo), Text: r.Text, Route: string(r.Route), Provider: r.Provider, Model: r.Model}
}

func refusalMessage(r core.Reply, fallback string) string {
	if r.Text != "" {
		return r.Text
	}
	return fallback
}

// replyWriter streams one reply to every listener of its session. Like every
// core.ReplyWriter it is used from one goroutine; it never blocks on a client.
type replyWriter struct {
	hub  *hub
	env  core.Envelope
	sent int // bytes of the reply already sent as deltas
}

// Update sends the part of textSoFar not sent yet as a delta frame to every
// connection attached to the session. It holds back a trailing incomplete
// UTF-8 sequence until the rest of it arrives.
func (w *replyWriter) Update(_ context.Context, textSoFar string) error {
	end := completePrefix(textSoFar)
	if end <= w.sent || w.hub.stops.stopped(w.key()) {
		return nil
	}
	chunk := textSoFar[w.sent:end]
	w.sent = end
	for _, c := range w.hub.listeners(w.env.ChatID) {
		c.sendDelta(string(w.env.MessageID), chunk)
	}
	return nil
}

// Finish queues the final frame on every attached connection and hands the
// reply to any /api/chat request waiting for it. It returns at once: slow
// connections get the frame from their own writer.
func (w *replyWriter) Finish(_ context.Context, reply core.Reply) error {
	refusal, refused := refusalFrame(w.env.MessageID, reply)
	frame := finalFrame(w.env.MessageID, reply)
	if done, ok := frame.(doneFrame); ok && w.hub.stops.take(w.key()) {
		done.Stopped = true
		frame = done
	}
	for _, c := range w.hub.listeners(w.env.ChatID) {
		if refused {
			c.refuse(refusal)
		} else {
			c.sendFinal(w.env.MessageID, frame)
		}
	}
	w.hub.resolve(w.key(), reply)
	return nil
}

// key names the reply's message.
func (w *replyWriter) key() waitKey { return waitKey{session: w.env.ChatID, id: w.env.MessageID} }

// completePrefix returns the length of the longest prefix of s that does not
// end inside a UTF-8 sequence.
func completePrefix(s string) int {
	for i := len(s) - 1; i >= 0 && i >= len(s)-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			if utf8.FullRuneInString(s[i:]) {
				return len(s)
			}
			return i
		}
	}
	return len(s)
}
