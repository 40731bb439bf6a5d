package openai

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"

	"imbot/core"
	"imbot/core/kit"
)

// go-openai encodes a chat request with encoding/json and each message
// twice over (its MarshalJSON, then the outer encoder checking and copying
// what that returned): with a conversation's history in every request,
// that was a fifth of the daemon's CPU under load. So the client encodes
// the messages itself. go-openai still encodes the rest of the request
// (model, limits, sampling, stream options) from a request without
// messages, which it writes as "messages":null; the doer splices the
// messages in there. The body sent is byte for byte what go-openai would
// have sent (TestSplicedBodyIsGoOpenAIs).

// messagesKey is the context key of the messages a request's body gets.
type messagesKey struct{}

// withMessages returns ctx carrying msgs for the doer to splice into the
// request body.
func withMessages(ctx context.Context, msgs []core.ModelMessage) context.Context {
	return context.WithValue(ctx, messagesKey{}, msgs)
}

// nullMessages is how go-openai writes a request without messages.
var nullMessages = []byte(`"messages":null`)

// errNoMessagesField is a body go-openai wrote without "messages":null.
var errNoMessagesField = errors.New("request body has no messages field to fill")

// spliceMessages replaces req's body by the same body with the messages
// its context carries, if it carries any.
func spliceMessages(req *http.Request) error {
	msgs, ok := req.Context().Value(messagesKey{}).([]core.ModelMessage)
	if !ok || req.Body == nil {
		return nil
	}
	body, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return err
	}
	at := bytes.Index(body, nullMessages)
	if at < 0 {
		return errNoMessagesField
	}
	out := make([]byte, 0, len(body)+messagesSize(msgs))
	out = append(out, body[:at+len(nullMessages)-len("null")]...)
	out = appendMessages(out, msgs)
	out = append(out, body[at+len(nullMessages):]...)
	req.Body = io.NopCloser(bytes.NewReader(out))
	req.ContentLength = int64(len(out))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(out)), nil }
	return nil
}

// appendMessages appends msgs as go-openai writes them: a JSON array of
// objects with the role and, unless empty, the content.
func appendMessages(b []byte, msgs []core.ModelMessage) []byte {
	b = append(b, '[')
	for i, m := range msgs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"role":`...)
		b = kit.AppendJSONString(b, m.Role)
		if m.Content != "" {
			b = append(b, `,"content":`...)
			b = kit.AppendJSONString(b, m.Content)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// messagesSize is about the length of msgs in JSON, escapes aside.
func messagesSize(msgs []core.ModelMessage) int {
	n := 2
	for _, m := range msgs {
		n += len(`{"role":"","content":""},`) + len(m.Role) + len(m.Content)
	}
	return n
}
