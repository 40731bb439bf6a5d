package core

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
)

// Burst coalescing: a user who sends several short messages in a row gets
// one answer to all of them, and a single message is never delayed.
//
// A turn starts at once with its head message. While its answer has not
// started streaming, a follow-up from the same sender in the same
// conversation cancels the model call (with cause ErrSuperseded) and the
// turn starts again with every message so far. A follow-up that arrives
// once the answer streams waits in the conversation's queue, and the next
// turn answers all such follow-ups together.

// MergeWriter is implemented by a ReplyWriter whose platform expects a reply
// to every message (the web chat). Before Finish of a turn that answered
// several messages, the dispatcher calls Merged, on the turn's goroutine,
// with the messages after the first: the reply answers them too.
type MergeWriter interface {
	Merged(followups []Envelope)
}

// merge tells w, when it cares, about the follow-ups of envs.
func merge(w ReplyWriter, envs []Envelope) {
	if m, ok := w.(MergeWriter); ok && len(envs) > 1 {
		m.Merged(envs[1:])
	}
}

// ErrSuperseded is the cause of the context of a model call cancelled
// because a follow-up message joined the turn. An Answerer that sees it
// returns at once without recording anything: its answer is thrown away.
var ErrSuperseded = errors.New("core: answer superseded by a follow-up message")

// maxBurst bounds the messages one turn answers; later ones wait for the
// next turn.
const maxBurst = 16

// burstState is how far the answer of one attempt has got.
type burstState uint8

const (
	burstAnswering  burstState = iota // asked, nothing streamed yet
	burstStreaming                    // text has reached the platform
	burstSuperseded                   // cancelled for a follow-up
)

// attempt is one call of the answerer for a conversation's batch. Enqueue
// supersedes it under the dispatcher's lock; the reply writer marks it
// streaming.
type attempt struct {
	mu     sync.Mutex
	state  burstState
	cancel context.CancelCauseFunc
}

// supersede cancels the attempt if nothing was streamed yet.
func (a *attempt) supersede() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.state == burstAnswering {
		a.state = burstSuperseded
		a.cancel(ErrSuperseded)
	}
}

// stream marks the attempt streaming and reports whether its text may reach
// the platform (false once superseded).
func (a *attempt) stream() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.state == burstSuperseded {
		return false
	}
	a.state = burstStreaming
	return true
}

// superseded reports whether a follow-up cancelled the attempt.
func (a *attempt) superseded() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.state == burstSuperseded
}

// attemptWriter passes an attempt's updates on once it may stream.
type attemptWriter struct {
	ReplyWriter
	a *attempt
}

// Update forwards text unless the attempt was superseded.
func (w attemptWriter) Update(ctx context.Context, text string) error {
	if !w.a.stream() {
		return nil
	}
	return w.ReplyWriter.Update(ctx, text)
}

// batch is the messages one turn answers: the head of its conversation's
// queue and the follow-ups coalesced with it, in order.
type batch struct {
	q    *convQueue
	envs []Envelope
}

// head is the message the turn's reply answers.
func (b *batch) head() Envelope { return b.envs[0] }

// burstLen returns how many messages from the head of items one turn may
// answer together: consecutive questions (not commands) from the head's
// sender, at most maxBurst; 1 when coalescing is off.
func (d *Dispatcher) burstLen(items []Envelope) int {
	if !d.cfg.Coalesce || d.isCommand(items[0]) {
		return 1
	}
	n := 1
	for n < len(items) && n < maxBurst && items[n].Sender() == items[0].Sender() && !d.isCommand(items[n]) {
		n++
	}
	return n
}

// isCommand reports whether env is addressed to a command (/ask included).
func (d *Dispatcher) isCommand(env Envelope) bool {
	_, _, _, ok := d.commands.parse(env.Text)
	return ok
}

// coalesce is called by enqueue, under d.mu, after env joined q: when a
// turn of q is answering and env belongs to its batch, the answer is
// superseded so that the turn starts again with env.
func (d *Dispatcher) coalesce(q *convQueue) {
	if q.live != nil && d.burstLen(q.items) == len(q.items) {
		q.live.supersede()
	}
}

// ask answers b's messages as one question. It takes the burst at the head
// of the queue and asks the answerer; when a follow-up supersedes the
// answer before it streams, it asks again with the longer burst (also when
// the turn's time ran out meanwhile: the answerer then answers at once
// with its timeout reply).
func (d *Dispatcher) ask(ctx context.Context, b *batch, w ReplyWriter) Answer {
	for {
		actx, a := d.startAttempt(ctx, b)
		ans := d.answerer.Answer(actx, merged(b.envs), attemptWriter{ReplyWriter: w, a: a})
		d.endAttempt(b)
		a.cancel(nil)
		if !a.superseded() {
			d.metrics.coalescedMessages(b.head().Platform, len(b.envs)-1)
			return ans
		}
		d.metrics.supersededCall(b.head().Platform)
	}
}

// startAttempt takes the burst at the head of b's queue into b and makes
// it the conversation's live attempt, answering under the returned context.
func (d *Dispatcher) startAttempt(ctx context.Context, b *batch) (context.Context, *attempt) {
	actx, cancel := context.WithCancelCause(ctx)
	a := &attempt{cancel: cancel}
	d.mu.Lock()
	defer d.mu.Unlock()
	b.envs = slices.Clone(b.q.items[:d.burstLen(b.q.items)])
	b.q.live = a
	return actx, a
}

// endAttempt ends the conversation's live attempt.
func (d *Dispatcher) endAttempt(b *batch) {
	d.mu.Lock()
	b.q.live = nil
	d.mu.Unlock()
}

// merged is the envelope a batch asks: the last message's envelope with
// every message's text, one per line, and Burst set to their number.
func merged(envs []Envelope) Envelope {
	if len(envs) == 1 {
		return envs[0]
	}
	texts := make([]string, len(envs))
	for i, e := range envs {
		texts[i] = e.Text
	}
	env := envs[len(envs)-1]
	env.Text = strings.Join(texts, "\n")
	env.Burst = len(envs)
	return env
}

// followups returns the history records of a batch's messages after its
// head.
func followups(envs []Envelope) []Followup {
	if len(envs) < 2 {
		return nil
	}
	out := make([]Followup, len(envs)-1)
	for i, e := range envs[1:] {
		out[i] = Followup{Envelope: e, User: Message{Role: RoleUser, Text: e.Text, At: e.Received}}
	}
	return out
}
