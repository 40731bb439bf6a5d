package openaitest

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"net/http"
	"strings"
	"time"
)

// Wire types of the OpenAI chat completions and embeddings APIs, as far as
// the fake writes them.
type (
	wireDelta struct {
		Role             string `json:"role,omitempty"`
		Content          string `json:"content,omitempty"`
		ReasoningContent string `json:"reasoning_content,omitempty"`
	}
	wireChoice struct {
		Index        int        `json:"index"`
		Delta        *wireDelta `json:"delta,omitempty"`
		Message      *wireDelta `json:"message,omitempty"`
		FinishReason *string    `json:"finish_reason"`
	}
	wireUsage struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
		TotalTokens      int `json:"total_tokens"`
	}
	wireChunk struct {
		ID      string       `json:"id"`
		Object  string       `json:"object"`
		Created int64        `json:"created"`
		Model   string       `json:"model"`
		Choices []wireChoice `json:"choices"`
		Usage   *wireUsage   `json:"usage,omitempty"`
	}
	wireError struct {
		Error struct {
			Message string  `json:"message"`
			Type    string  `json:"type"`
			Code    *string `json:"code"`
		} `json:"error"`
	}
	wireEmbedding struct {
		Object    string    `json:"object"`
		Embedding []float32 `json:"embedding"`
		Index     int       `json:"index"`
	}
	wireEmbeddings struct {
		Object string          `json:"object"`
		Data   []wireEmbedding `json:"data"`
		Model  string          `json:"model"`
		Usage  wireUsage       `json:"usage"`
	}
)

// writeError answers with r's status, Retry-After and error body.
func writeError(w http.ResponseWriter, r Response) {
	if r.RetryAfter != "" {
		w.Header().Set("Retry-After", r.RetryAfter)
	}
	if r.RawErrorBody != "" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(r.Status)
		_, _ = w.Write([]byte(r.RawErrorBody))
		return
	}
	writeJSON(w, r.Status, errorBody(r.ErrorMessage, r.ErrorType, r.ErrorCode))
}

func errorBody(message, typ, code string) wireError {
	var e wireError
	e.Error.Message, e.Error.Type = message, typ
	if code != "" {
		e.Error.Code = &code
	}
	return e
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeChat answers a chat request as r scripts it.
func (s *Server) writeChat(w http.ResponseWriter, req *http.Request, rec Request, r Response) {
	answer := r.Chunks
	if r.Echo {
		answer = append(append([]string(nil), answer...), rec.LastUser())
	}
	usage := usageFor(rec, answer, r.Usage)
	finish := r.FinishReason
	if finish == "" {
		finish = "stop"
	}
	if r.NonStreaming {
		msg := &wireDelta{Role: "assistant", Content: strings.Join(answer, "")}
		writeJSON(w, http.StatusOK, wireChunk{ID: "chatcmpl-fake", Object: "chat.completion", Model: rec.Model,
			Choices: []wireChoice{{Message: msg, FinishReason: &finish}}, Usage: &usage})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	sw := &sseWriter{w: w, rc: http.NewResponseController(w), req: req, done: s.done, r: r, model: rec.Model}
	_ = sw.rc.Flush()
	for _, t := range r.Reasoning {
		if !sw.send(&wireDelta{ReasoningContent: t}, nil, nil) {
			return
		}
	}
	for i, t := range answer {
		if r.Drop && i == r.DropAfter {
			panic(http.ErrAbortHandler) // closes the connection mid-stream
		}
		if !sw.send(&wireDelta{Content: t}, nil, nil) {
			return
		}
	}
	if r.Hang {
		sw.wait(-1)
		return
	}
	sw.finish(finish, usage)
}

// usageFor returns the usage to report: given, or counted from the request
// (words) and the answer (chunks).
func usageFor(rec Request, answer []string, given *Usage) wireUsage {
	u := wireUsage{CompletionTokens: len(answer)}
	if given != nil {
		u.PromptTokens, u.CompletionTokens = given.PromptTokens, given.CompletionTokens
	} else {
		for _, m := range rec.Messages {
			u.PromptTokens += len(strings.Fields(m.Content))
		}
	}
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	return u
}

// sseWriter writes one scripted event stream.
type sseWriter struct {
	w     http.ResponseWriter
	rc    *http.ResponseController
	req   *http.Request
	done  <-chan struct{}
	r     Response
	model string
}

// wait blocks for d (forever when d < 0) or until the request or the
// server ends; it reports whether the full wait passed.
func (sw *sseWriter) wait(d time.Duration) bool {
	var after <-chan time.Time
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		after = t.C
	}
	select {
	case <-after:
		return true
	case <-sw.req.Context().Done():
	case <-sw.done:
	}
	return false
}

// send writes one chunk (after the scripted delay and keep-alive lines)
// and reports whether the client is still there.
func (sw *sseWriter) send(d *wireDelta, finish *string, usage *wireUsage) bool {
	if sw.r.ChunkDelay > 0 && !sw.wait(sw.r.ChunkDelay) {
		return false
	}
	for range sw.r.KeepAlives {
		if _, err := sw.w.Write([]byte(": keep-alive\n\n")); err != nil {
			return false
		}
	}
	c := wireChunk{ID: "chatcmpl-fake", Object: "chat.completion.chunk", Model: sw.model, Choices: []wireChoice{}, Usage: usage}
	if d != nil {
		c.Choices = append(c.Choices, wireChoice{Delta: d, FinishReason: finish})
	}
	return sw.data(c)
}

func (sw *sseWriter) data(v any) bool {
	b, err := json.Marshal(v)
	if err != nil {
		return false
	}
	if _, err := sw.w.Write(append(append([]byte("data: "), b...), '\n', '\n')); err != nil {
		return false
	}
	return sw.rc.Flush() == nil
}

// finish ends the stream: a scripted error event, or the finish reason, the
// usage chunk and [DONE], as the script says.
func (sw *sseWriter) finish(reason string, usage wireUsage) {
	if sw.r.Drop {
		panic(http.ErrAbortHandler) // no more chunks than DropAfter: drop at the end
	}
	if sw.r.StreamError != "" {
		sw.data(errorBody(sw.r.StreamError, "server_error", ""))
		return
	}
	if !sw.r.OmitFinish && !sw.send(&wireDelta{}, &reason, nil) {
		return
	}
	if !sw.r.NoUsage && !sw.send(nil, nil, &usage) {
		return
	}
	_, _ = sw.w.Write([]byte("data: [DONE]\n\n"))
	_ = sw.rc.Flush()
}

// writeEmbeddings answers an embeddings request with one vector per input.
func writeEmbeddings(w http.ResponseWriter, rec Request, embed func(string) []float32) {
	out := wireEmbeddings{Object: "list", Model: rec.Model, Data: make([]wireEmbedding, len(rec.Input))}
	for i, text := range rec.Input {
		out.Data[i] = wireEmbedding{Object: "embedding", Embedding: embed(text), Index: i}
		out.Usage.PromptTokens += len(strings.Fields(text))
	}
	out.Usage.TotalTokens = out.Usage.PromptTokens
	writeJSON(w, http.StatusOK, out)
}

// hashVector is a deterministic unit vector of dims dimensions derived from
// text: equal texts get equal vectors, different texts almost surely not.
func hashVector(text string, dims int) []float32 {
	v := make([]float32, dims)
	var norm float64
	for i := range v {
		h := fnv.New64a()
		_, _ = h.Write([]byte{byte(i), byte(i >> 8)})
		_, _ = h.Write([]byte(text))
		x := float64(h.Sum64()>>11)/float64(1<<53)*2 - 1
		v[i] = float32(x)
		norm += x * x
	}
	if norm == 0 {
		return v
	}
	scale := 1 / math.Sqrt(norm)
	for i := range v {
		v[i] = float32(float64(v[i]) * scale)
	}
	return v
}
