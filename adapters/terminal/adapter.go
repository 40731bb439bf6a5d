// Package terminal connects a terminal to the dispatcher: each line read is
// a message of one direct conversation, and each reply streams to the
// output as it is produced, with its route underneath. It is what
// `imbot chat` talks through.
package terminal

import (
	"context"
	"errors"
	"fmt"
	"io"

	"imbot/core"
)

// Platform is the name the adapter delivers under.
const Platform core.Platform = "terminal"

// ErrInputClosed is returned by Run when the input ends (Ctrl-D): the user
// is done, so the caller stops the dispatcher and treats it as success.
var ErrInputClosed = errors.New("terminal: input closed")

var _ core.Adapter = (*Adapter)(nil)

// Adapter is the terminal adapter. Name and Reply may be called from any
// goroutine; Run is called once. One turn runs at a time: Run reads the
// next line only after the previous reply finished.
type Adapter struct {
	in          io.Reader
	lines       LineReader
	interactive bool
	out         io.Writer
	session     core.ChatID
	version     string
	finished    chan struct{}
}

// LineReader reads one line at a time with its own prompt and line
// editing (a readline instance). Readline returns io.EOF at end of input.
type LineReader interface {
	Readline() (string, error)
}

// Option configures an Adapter.
type Option func(*Adapter)

// WithVersion sets the program version shown in the greeting.
func WithVersion(v string) Option { return func(a *Adapter) { a.version = v } }

// WithLineReader reads lines from r instead of the input stream: r shows
// the prompt and edits the line, and the terminal is interactive (a
// progress mark shows while a reply streams).
func WithLineReader(r LineReader) Option {
	return func(a *Adapter) { a.lines, a.interactive = r, true }
}

// New returns an adapter that reads lines from in and writes replies to
// out, all in the conversation named session. It starts nothing.
func New(session core.ChatID, in io.Reader, out io.Writer, opts ...Option) (*Adapter, error) {
	if session == "" {
		return nil, errors.New("terminal: session must not be empty")
	}
	a := &Adapter{in: in, out: out, session: session, version: "dev", finished: make(chan struct{}, 1)}
	for _, o := range opts {
		o(a)
	}
	return a, nil
}

// Name implements core.Adapter.
func (a *Adapter) Name() core.Platform { return Platform }

// Run greets, then delivers each non-blank line read and waits for its
// reply before prompting again. It returns nil when ctx ends and
// ErrInputClosed at end of input.
func (a *Adapter) Run(ctx context.Context, deliver core.DeliverFunc) error {
	fmt.Fprintf(a.out, "imbot %s — conversation %q. Type /help for commands, Ctrl-D to quit.\n", a.version, a.session)
	lines := a.readLines(ctx)
	for {
		if a.lines == nil {
			fmt.Fprint(a.out, "> ")
		}
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			return nil
		case line, ok = <-lines:
		}
		if !ok {
			if a.lines == nil {
				fmt.Fprintln(a.out)
			}
			return ErrInputClosed
		}
		env, ok := a.envelope(line)
		if !ok {
			continue
		}
		if err := deliver(ctx, env); err != nil {
			return fmt.Errorf("terminal: deliver: %w", err)
		}
		select {
		case <-a.finished:
		case <-ctx.Done():
			return nil
		}
	}
}

// Reply implements core.Adapter.
func (a *Adapter) Reply(context.Context, core.Envelope) (core.ReplyWriter, error) {
	return &writer{a: a}, nil
}

// done lets Run read the next line.
func (a *Adapter) done() {
	select {
	case a.finished <- struct{}{}:
	default:
	}
}
