package openaiapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"imbot/core"
)

// sseWriter streams one answer as server-sent events in OpenAI's chunk
// format. It is a core.ReplyWriter, so the router streams into it; the
// first event goes out with the first text (or at Finish), so that a
// failure before any text can still be answered with an HTTP error.
type sseWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	r       reply
	sent    string // text sent so far
	started bool
}

var _ core.ReplyWriter = (*sseWriter)(nil)

func newSSEWriter(w http.ResponseWriter, r reply) *sseWriter {
	return &sseWriter{w: w, rc: http.NewResponseController(w), r: r}
}

// Update sends what textSoFar adds to the text sent. Text that does not
// extend it (the answer was replaced) waits for Finish.
func (s *sseWriter) Update(_ context.Context, textSoFar string) error {
	rest, ok := strings.CutPrefix(textSoFar, s.sent)
	if !ok || rest == "" {
		return nil
	}
	return s.delta(rest)
}

// Finish sends the rest of the reply and the final chunk. A reply that
// does not extend what was streamed follows it after a blank line: a
// stream cannot take text back.
func (s *sseWriter) Finish(ctx context.Context, r core.Reply) error {
	text := r.Text
	if !strings.HasPrefix(text, s.sent) {
		text = s.sent + "\n\n" + text
	}
	if err := s.Update(ctx, text); err != nil {
		return err
	}
	if err := s.begin(); err != nil {
		return err
	}
	stop := "stop"
	return s.event(s.r.chunk([]chunkChoice{{Delta: message{}, FinishReason: &stop}}, nil))
}

// end sends the usage chunk, when asked for, and [DONE].
func (s *sseWriter) end(u *usage) error {
	if u != nil {
		if err := s.event(s.r.chunk(nil, u)); err != nil {
			return err
		}
	}
	return s.write("data: [DONE]\n\n")
}

// fail ends a stream that broke after it started with an error event.
func (s *sseWriter) fail(e *apiError) error {
	if err := s.event(struct {
		Error *apiError `json:"error"`
	}{e}); err != nil {
		return err
	}
	return s.write("data: [DONE]\n\n")
}

// delta sends one piece of text.
func (s *sseWriter) delta(text string) error {
	if err := s.begin(); err != nil {
		return err
	}
	s.sent += text
	return s.event(s.r.chunk([]chunkChoice{{Delta: message{Content: text}}}, nil))
}

// begin sends the headers and the first chunk (the assistant's role) once.
func (s *sseWriter) begin() error {
	if s.started {
		return nil
	}
	s.started = true
	h := s.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	s.w.WriteHeader(http.StatusOK)
	return s.event(s.r.chunk([]chunkChoice{{Delta: message{Role: "assistant"}}}, nil))
}

// event sends v as one "data:" event and flushes it.
func (s *sseWriter) event(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("openaiapi: encode event: %w", err)
	}
	return s.write("data: " + string(b) + "\n\n")
}

func (s *sseWriter) write(data string) error {
	if _, err := s.w.Write([]byte(data)); err != nil {
		return err
	}
	return s.rc.Flush()
}

// wholeWriter collects nothing: a whole (non-streamed) answer is the
// Answer's text. It lets the router run as it does for chats.
type wholeWriter struct{}

func (wholeWriter) Update(context.Context, string) error     { return nil }
func (wholeWriter) Finish(context.Context, core.Reply) error { return nil }
