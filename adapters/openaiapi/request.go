package openaiapi

import (
	"encoding/json"
	"fmt"
	"strings"

	"imbot/core"
)

// chatRequest is the part of OpenAI's chat completion request imbot reads.
// Other fields (temperature, top_p, …) are accepted and ignored.
type chatRequest struct {
	Model         string        `json:"model"`
	Messages      []chatMessage `json:"messages"`
	Stream        bool          `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	N                   *int            `json:"n"`
	Tools               json.RawMessage `json:"tools"`
}

// chatMessage is one message of a request. Content is a string or an
// array of content parts.
type chatMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// contentPart is one part of an array content.
type contentPart struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// question is a validated request: the model asked for, the conversation
// before the last message, and the last (user) message.
type question struct {
	model        string
	stream       bool
	includeUsage bool
	maxTokens    int
	earlier      []core.ModelMessage
	text         string
}

// messages returns the whole conversation, the question last.
func (q question) messages() []core.ModelMessage {
	return append(append([]core.ModelMessage(nil), q.earlier...), core.ModelMessage{Role: "user", Content: q.text})
}

// parseRequest reads and validates a chat completion request body. Its
// error is an *apiError for the client.
func parseRequest(body []byte) (question, *apiError) {
	var req chatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return question{}, invalid("", "We could not parse the JSON body of your request: %v", err)
	}
	q := question{model: req.Model, stream: req.Stream, includeUsage: req.StreamOptions != nil && req.StreamOptions.IncludeUsage}
	switch {
	case req.N != nil && *req.N != 1:
		return question{}, invalid("n", "Only n = 1 is supported.")
	case len(req.Tools) > 0 && string(req.Tools) != "null" && string(req.Tools) != "[]":
		return question{}, invalid("tools", "Tools are not supported.")
	case len(req.Messages) == 0:
		return question{}, invalid("messages", "messages must hold at least one message.")
	}
	if q.maxTokens = firstPositive(req.MaxCompletionTokens, req.MaxTokens); q.maxTokens < 0 {
		return question{}, invalid("max_tokens", "max_tokens must be positive.")
	}
	for i, m := range req.Messages {
		msg, err := readMessage(m, i)
		if err != nil {
			return question{}, err
		}
		q.earlier = append(q.earlier, msg)
	}
	last := q.earlier[len(q.earlier)-1]
	if last.Role != "user" || strings.TrimSpace(last.Content) == "" {
		return question{}, invalid("messages", "The last message must be a user message with text.")
	}
	q.earlier, q.text = q.earlier[:len(q.earlier)-1], last.Content
	return q, nil
}

// firstPositive returns the first value set, or 0; -1 when a set value is
// not positive.
func firstPositive(vals ...*int) int {
	for _, v := range vals {
		if v == nil {
			continue
		}
		if *v < 1 {
			return -1
		}
		return *v
	}
	return 0
}

// readMessage validates message i and returns it with its text content.
// A developer message counts as a system message.
func readMessage(m chatMessage, i int) (core.ModelMessage, *apiError) {
	param := fmt.Sprintf("messages[%d]", i)
	role := m.Role
	switch role {
	case "system", "user", "assistant":
	case "developer":
		role = "system"
	default:
		return core.ModelMessage{}, invalid(param+".role", "Unsupported role %q: use system, developer, user or assistant.", truncate(role, 32))
	}
	text, err := readContent(m.Content)
	if err != nil {
		return core.ModelMessage{}, invalid(param+".content", "%s", err.Error())
	}
	return core.ModelMessage{Role: role, Content: text}, nil
}

// readContent returns the text of a string content or of an array of text
// parts, joined by newlines. A null content is empty.
func readContent(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var parts []contentPart
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", fmt.Errorf("content must be a string or an array of text parts")
	}
	texts := make([]string, 0, len(parts))
	for _, p := range parts {
		if p.Type != "text" {
			return "", fmt.Errorf("content part type %q is not supported: only text", truncate(p.Type, 32))
		}
		texts = append(texts, p.Text)
	}
	return strings.Join(texts, "\n"), nil
}

// truncate cuts s to at most n bytes, for echoing client input in errors.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
