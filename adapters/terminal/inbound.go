package terminal

import (
	"bufio"
	"context"
	"io"
	"strconv"
	"strings"
	"time"

	"imbot/core"
)

// localUser is the user of every terminal conversation.
const localUser core.UserID = "local"

// maxLineBytes bounds one line of input.
const maxLineBytes = 1 << 20

// readLines sends the lines read until end of input (or Ctrl-C on a line
// reader), then closes the channel. The reader also ends, once ctx has
// ended, after its next line; a read of a terminal cannot be interrupted,
// so nothing waits for it: the process exits with Run.
func (a *Adapter) readLines(ctx context.Context) <-chan string {
	lines := make(chan string)
	next := a.lines
	if next == nil {
		next = scannerReader(a.in)
	}
	go func() {
		defer close(lines)
		for {
			line, err := next.Readline()
			if err != nil {
				return
			}
			select {
			case lines <- line:
			case <-ctx.Done():
				return
			}
		}
	}()
	return lines
}

// lineFunc is a LineReader from a function.
type lineFunc func() (string, error)

func (f lineFunc) Readline() (string, error) { return f() }

// scannerReader reads the lines of in.
func scannerReader(in io.Reader) LineReader {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), maxLineBytes)
	return lineFunc(func() (string, error) {
		if sc.Scan() {
			return sc.Text(), nil
		}
		if err := sc.Err(); err != nil {
			return "", err
		}
		return "", io.EOF
	})
}

// envelope turns a line into a message of the session's direct
// conversation; a blank line is no message.
func (a *Adapter) envelope(line string) (core.Envelope, bool) {
	if strings.TrimSpace(line) == "" {
		return core.Envelope{}, false
	}
	return core.Envelope{Platform: Platform, ChatID: a.session, ChatKind: core.ChatDirect, UserID: localUser,
		MessageID: core.MessageID(strconv.FormatInt(time.Now().UnixNano(), 36)), Text: line}, true
}
