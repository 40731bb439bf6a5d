package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"imbot/core"
)

// terminalPlatform names conversations held in the terminal.
const terminalPlatform core.Platform = "terminal"

// runChat is `imbot chat [-config FILE] [-session NAME]`: the same core and
// store as serve, talking to this terminal instead of the network.
func runChat(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs, configPath := commandFlags("chat", stderr)
	session := fs.String("session", "default", "conversation name; the same name continues the same history")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*configPath, envLookup)
	if err != nil {
		return err
	}
	cfg.Server.LogLevel = "warn"
	log, err := newLogger(cfg.Server, stderr)
	if err != nil {
		return err
	}
	d, err := newDaemon(cfg, log, false)
	if err != nil {
		return err
	}
	defer d.close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ctx, quit := context.WithCancel(ctx)
	defer quit()
	term := newTerminal(stdin, stdout, core.ChatID(*session), quit)
	d.adapters = []core.Adapter{term}
	return d.dispatcher.Run(ctx, term)
}

// terminal is the adapter behind `imbot chat`: each line read is a
// message; replies stream to the output as they are produced.
type terminal struct {
	in       io.Reader
	out      io.Writer
	session  core.ChatID
	quit     context.CancelFunc
	finished chan struct{}
}

var _ core.Adapter = (*terminal)(nil)

func newTerminal(in io.Reader, out io.Writer, session core.ChatID, quit context.CancelFunc) *terminal {
	return &terminal{in: in, out: out, session: session, quit: quit, finished: make(chan struct{}, 1)}
}

// Name implements core.Adapter.
func (t *terminal) Name() core.Platform { return terminalPlatform }

// Run reads lines until end of input or ctx ends; end of input quits.
func (t *terminal) Run(ctx context.Context, deliver core.DeliverFunc) error {
	defer t.quit()
	fmt.Fprintf(t.out, "imbot %s — conversation %q. Type /help for commands, Ctrl-D to quit.\n", version, t.session)
	lines := make(chan string)
	// The reader ends at end of input or, once Run has returned, after its
	// next line; a read of the terminal cannot be interrupted, so nothing
	// waits for it: the process exits with Run.
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(t.in)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		fmt.Fprint(t.out, "> ")
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			return nil
		case line, ok = <-lines:
		}
		if !ok {
			fmt.Fprintln(t.out)
			return nil
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		env := core.Envelope{Platform: terminalPlatform, ChatID: t.session, ChatKind: core.ChatDirect, UserID: "local",
			MessageID: core.MessageID(strconv.FormatInt(time.Now().UnixNano(), 36)), Text: line}
		if err := deliver(ctx, env); err != nil {
			return err
		}
		select {
		case <-t.finished:
		case <-ctx.Done():
			return nil
		}
	}
}

// Reply implements core.Adapter.
func (t *terminal) Reply(context.Context, core.Envelope) (core.ReplyWriter, error) {
	return &terminalWriter{t: t}, nil
}

type terminalWriter struct {
	t     *terminal
	shown string
}

// Update prints what text adds to what is shown; text that does not extend
// it starts on a new line.
func (w *terminalWriter) Update(_ context.Context, text string) error {
	var err error
	if rest, ok := strings.CutPrefix(text, w.shown); ok {
		_, err = io.WriteString(w.t.out, rest)
	} else {
		_, err = io.WriteString(w.t.out, "\n"+text)
	}
	w.shown = text
	return err
}

// Finish prints the rest of the reply and its route, and lets Run read the
// next line.
func (w *terminalWriter) Finish(ctx context.Context, r core.Reply) error {
	err := w.Update(ctx, r.Text)
	fmt.Fprintf(w.t.out, "\n  [%s]\n", routeLabel(r))
	select {
	case w.t.finished <- struct{}{}:
	default:
	}
	return err
}

// routeLabel is the short tag shown under a reply: faq, the model, or
// degraded.
func routeLabel(r core.Reply) string {
	if r.Route == core.RouteModel {
		return r.Provider + "/" + r.Model
	}
	return string(r.Route)
}
