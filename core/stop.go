package core

import (
	"context"
	"errors"
)

// ErrStopped is the cause of a turn's context when its reader stopped the
// reply (the web chat's Stop button).
var ErrStopped = errors.New("core: the reader stopped the reply")

// Stoppable is implemented by a ReplyWriter whose reader can stop the reply
// while it streams. The dispatcher finds it by type assertion and answers
// under the context StopContext returns, so a stop ends the model call; the
// reply is then finished with the text so far, and recorded.
type Stoppable interface {
	// StopContext returns ctx ended with cause ErrStopped once the reader
	// stops the reply. release must be called when the answer is done; it
	// does not block.
	StopContext(ctx context.Context) (stopCtx context.Context, release context.CancelFunc)
}

// answerContext is the context a turn's answer runs under: ctx, ended
// early when the writer is Stoppable and its reader stops the reply.
func answerContext(ctx context.Context, w ReplyWriter) (context.Context, context.CancelFunc) {
	if s, ok := w.(Stoppable); ok {
		return s.StopContext(ctx)
	}
	return ctx, func() {}
}

// stoppedByReader reports whether ctx ended because the reader stopped the
// reply.
func stoppedByReader(ctx context.Context) bool { return errors.Is(context.Cause(ctx), ErrStopped) }
