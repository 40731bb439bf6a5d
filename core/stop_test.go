package core

import (
	"context"
	"errors"
	"testing"
)

// stoppableWriter is a ReplyWriter whose reader stops the reply at once.
type stoppableWriter struct{ fakeWriter }

func (w *stoppableWriter) StopContext(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	cancel(ErrStopped)
	return ctx, func() {}
}

func TestRouterStoppedByReaderKeepsTextWithoutNotice(t *testing.T) {
	chain := &scriptedChain{name: "general", chunks: []string{"Once upon"}, err: context.Canceled, partly: true}
	un := &unansweredRecorder{}
	r, err := NewRouter(DefaultRouterConfig(), RouterDeps{History: newMemStore(), General: chain, Unanswered: un})
	if err != nil {
		t.Fatal(err)
	}
	w := &stoppableWriter{fakeWriter{a: newFakeAdapter("t")}}
	ctx, release := answerContext(context.Background(), w)
	defer release()
	ans := r.Answer(ctx, Envelope{Platform: "t", ChatID: "c", MessageID: "1", Text: "tell a story"}, w)
	if ans.Reply.Text != "Once upon" || ans.Reply.Route != RouteModel {
		t.Fatalf("reply %+v, want the text so far from the model, without the interrupted notice", ans.Reply)
	}
	if len(un.qs) != 0 {
		t.Errorf("a stopped answer was recorded as unanswered: %+v", un.qs)
	}
}

func TestAnswerContext(t *testing.T) {
	ctx, release := answerContext(context.Background(), &fakeWriter{a: newFakeAdapter("t")})
	release()
	if ctx.Err() != nil {
		t.Error("a writer that cannot be stopped ended the answer's context")
	}
	ctx, release = answerContext(context.Background(), &stoppableWriter{fakeWriter{a: newFakeAdapter("t")}})
	defer release()
	if !errors.Is(context.Cause(ctx), ErrStopped) || !stoppedByReader(ctx) {
		t.Errorf("cause %v, want ErrStopped", context.Cause(ctx))
	}
}
