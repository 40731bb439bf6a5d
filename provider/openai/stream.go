package openai

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"imbot/core"
)

// Stream sends req and streams the answer: onDelta (which may be nil)
// receives each non-empty piece of answer text, in order, on the calling
// goroutine. It is one attempt, bounded by first_token_timeout (until the
// stream first shows life: answer text or reasoning text) and by timeout
// (the whole call). Reasoning text is never passed to onDelta.
//
// On success the Result holds the whole text and the usage the provider
// reported. On failure the error is an *Error; if text had already been
// passed to onDelta, the Result is Interrupted and holds that text.
func (c *Client) Stream(ctx context.Context, req core.ModelRequest, onDelta core.DeltaFunc) (core.ModelResult, error) {
	start := c.clock.Now()
	res, firstToken, err := c.stream(ctx, req, onDelta)
	c.metrics.call(c.cfg.Name, res, err, firstToken)
	if c.log.Enabled(ctx, slog.LevelDebug) {
		c.log.DebugContext(ctx, "provider call", "model", c.cfg.Model,
			"latency_ms", c.clock.Now().Sub(start).Milliseconds(), "outcome", outcomeLabel(res, err),
			"prompt_tokens", res.Usage.PromptTokens, "completion_tokens", res.Usage.CompletionTokens)
	}
	return res, err
}

// stream is Stream without the bookkeeping; it also returns how long the
// first sign of life took (negative if none came).
func (c *Client) stream(ctx context.Context, req core.ModelRequest, onDelta core.DeltaFunc) (core.ModelResult, time.Duration, error) {
	res := core.ModelResult{Provider: c.cfg.Name, Model: c.cfg.Model}
	k := c.keyed.Load()
	if len(req.Messages) == 0 {
		return res, -1, k.cls.final(errors.New("request has no messages"))
	}
	callCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stopTotal := c.clock.AfterFunc(c.cfg.Timeout, func() { cancel(ErrTimeout) })
	defer stopTotal()
	stopFirst := c.clock.AfterFunc(c.cfg.FirstTokenTimeout, func() { cancel(ErrFirstTokenTimeout) })
	defer stopFirst()
	callCtx, holder := withRetryAfterHolder(callCtx)
	callCtx = withMessages(callCtx, req.Messages)

	start := c.clock.Now()
	st, err := k.api.CreateChatCompletionStream(callCtx, c.chatRequest(req.MaxTokens))
	if err != nil {
		return res, -1, k.cls.classify(ctx, callCtx, err, holder.get())
	}
	defer st.Close()

	r := reader{onDelta: onDelta, stopFirst: stopFirst, now: c.clock.Now}
	err = r.read(st, &res)
	res.Text = r.text.String()
	firstToken := time.Duration(-1)
	if r.alive {
		firstToken = r.aliveAt.Sub(start)
	}
	switch {
	case err != nil:
		res.Interrupted = res.Text != ""
		return res, firstToken, k.cls.classify(ctx, callCtx, err, holder.get())
	case !r.finished:
		res.Interrupted = res.Text != ""
		return res, firstToken, k.cls.classify(ctx, callCtx, ErrTruncated, holder.get())
	case res.Text == "":
		return res, firstToken, k.cls.final(ErrEmptyAnswer)
	}
	return res, firstToken, nil
}

// errFirstTokenRace marks a first chunk that arrived after the first-token
// timer had already fired and cancelled the call; the call then counts as a
// first-token timeout (classify reads the cancellation cause).
var errFirstTokenRace = errors.New("first token arrived after the first-token timeout")

// reader consumes one chat completion stream.
type reader struct {
	onDelta   core.DeltaFunc
	stopFirst func() bool
	now       func() time.Time
	text      strings.Builder
	alive     bool      // answer or reasoning text has arrived
	aliveAt   time.Time // when it first did
	finished  bool      // a choice carried a finish reason
}

// read receives chunks until the stream ends; io.EOF is a normal end.
func (r *reader) read(st *goopenai.ChatCompletionStream, res *core.ModelResult) error {
	for {
		chunk, err := st.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if chunk.Usage != nil {
			res.Usage = core.ModelUsage{PromptTokens: chunk.Usage.PromptTokens, CompletionTokens: chunk.Usage.CompletionTokens}
		}
		if len(chunk.Choices) == 0 { // the usage chunk, or a keep-alive
			continue
		}
		if err := r.take(chunk.Choices[0]); err != nil {
			return err
		}
	}
}

// take handles one choice delta.
func (r *reader) take(ch goopenai.ChatCompletionStreamChoice) error {
	text := ch.Delta.Content
	if text == "" {
		text = ch.Delta.Refusal
	}
	if !r.alive && (text != "" || ch.Delta.ReasoningContent != "") {
		if !r.stopFirst() {
			return errFirstTokenRace
		}
		r.alive, r.aliveAt = true, r.now()
	}
	if ch.FinishReason != "" {
		r.finished = true
	}
	if text == "" {
		return nil
	}
	r.text.WriteString(text)
	if r.onDelta != nil {
		r.onDelta(text)
	}
	return nil
}
