package web

import (
	"encoding/json"
	"fmt"
	"strings"

	"imbot/core"
	"imbot/core/catalog"
)

// Error codes of the protocol: error frames and JSON error bodies.
const (
	codeBadRequest   = "bad_request"
	codeTooLarge     = "too_large"
	codeRateLimited  = "rate_limited"
	codeBusy         = "busy"
	codeUnauthorized = "unauthorized"
	codeForbidden    = "forbidden" // HTTP only: host or origin not allowed
	codeTimeout      = "timeout"   // HTTP only: no reply within request_timeout
)

// requestError is a problem with what a client sent, in protocol terms.
type requestError struct {
	code    string
	replyTo string // the client's message id when it was valid, else ""
	message string
	// id, when set, is the catalogue text a user reads; message is then
	// its English text until the adapter writes it in the user's language.
	id catalog.ID
}

// userError is an error whose message a user reads, from the catalogue.
func userError(code, replyTo string, id catalog.ID) *requestError {
	return &requestError{code: code, replyTo: replyTo, id: id, message: (*catalog.Catalog)(nil).Text(catalog.EN, id)}
}

func (e *requestError) Error() string { return e.code + ": " + e.message }

func badRequest(replyTo, format string, args ...any) *requestError {
	return &requestError{code: codeBadRequest, replyTo: replyTo, message: fmt.Sprintf(format, args...)}
}

// userMessage is a validated message from /ws or /api/chat.
type userMessage struct {
	session core.ChatID // only for /api/chat; empty means "generate one"
	id      core.MessageID
	text    string
}

// inboundFrame is what a WebSocket client sends.
type inboundFrame struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Text string `json:"text"`
}

// parseFrame validates one WebSocket text frame. maxText is the largest text
// accepted, in bytes.
func parseFrame(data []byte, maxText int) (userMessage, *requestError) {
	var f inboundFrame
	if err := json.Unmarshal(data, &f); err != nil {
		return userMessage{}, badRequest("", "frame is not a JSON object of the expected shape")
	}
	replyTo := ""
	if validMessageID(f.ID) {
		replyTo = f.ID
	}
	if f.Type != "message" {
		return userMessage{}, badRequest(replyTo, "unknown frame type %q", truncate(f.Type, 32))
	}
	if replyTo == "" {
		return userMessage{}, badRequest("", "id must be 1..%d printable ASCII characters", maxMessageIDLen)
	}
	return checkText(userMessage{id: core.MessageID(f.ID)}, f.Text, maxText)
}

// chatRequest is the body of POST /api/chat.
type chatRequest struct {
	Session string `json:"session"`
	ID      string `json:"id"`
	Text    string `json:"text"`
}

// parseChatRequest validates the body of POST /api/chat. An empty session or
// id means the server generates one.
func parseChatRequest(body []byte, maxText int) (userMessage, *requestError) {
	var req chatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return userMessage{}, badRequest("", "body is not a JSON object of the expected shape")
	}
	if req.Session != "" && !validSession(req.Session) {
		return userMessage{}, badRequest("", "session must be 1..%d characters of [A-Za-z0-9_-]", maxSessionLen)
	}
	if req.ID != "" && !validMessageID(req.ID) {
		return userMessage{}, badRequest("", "id must be 1..%d printable ASCII characters", maxMessageIDLen)
	}
	m := userMessage{session: core.ChatID(req.Session), id: core.MessageID(req.ID)}
	return checkText(m, req.Text, maxText)
}

// checkText sets m.text to text without surrounding white space, after
// checking that it is not empty and not over maxText bytes.
func checkText(m userMessage, text string, maxText int) (userMessage, *requestError) {
	if len(text) > maxText {
		return userMessage{}, &requestError{code: codeTooLarge, replyTo: string(m.id),
			message: fmt.Sprintf("text is %d bytes; the limit is %d", len(text), maxText)}
	}
	m.text = strings.TrimSpace(text)
	if m.text == "" {
		return userMessage{}, badRequest(string(m.id), "text is empty")
	}
	return m, nil
}

// truncate shortens s to at most n bytes for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
