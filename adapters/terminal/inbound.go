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

// maxLineBytes bounds one line of input.
const maxLineBytes = 1 << 20

// readLines sends the lines of in until end of input, then closes the
// channel. The reader also ends, once ctx has ended, after its next line;
// a read of a terminal cannot be interrupted, so nothing waits for it: the
// process exits with Run.
func readLines(ctx context.Context, in io.Reader) <-chan string {
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64<<10), maxLineBytes)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	return lines
}

// envelope turns a line into a message of the session's direct
// conversation; a blank line is no message.
func (a *Adapter) envelope(line string) (core.Envelope, bool) {
	if strings.TrimSpace(line) == "" {
		return core.Envelope{}, false
	}
	return core.Envelope{Platform: Platform, ChatID: a.session, ChatKind: core.ChatDirect, UserID: "local",
		MessageID: core.MessageID(strconv.FormatInt(time.Now().UnixNano(), 36)), Text: line}, true
}
