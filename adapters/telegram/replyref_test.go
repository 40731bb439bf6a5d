package telegram

import (
	"context"
	"slices"
	"sync"
	"testing"

	"imbot/core"
)

// memRefs is an in-memory core.ReplyRefs in which every envelope is pending.
type memRefs struct {
	mu   sync.Mutex
	refs map[core.MessageID]core.ReplyRef
}

func (m *memRefs) SaveReplyRef(_ context.Context, env core.Envelope, ref core.ReplyRef) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.refs == nil {
		m.refs = map[core.MessageID]core.ReplyRef{}
	}
	ref.Messages = slices.Clone(ref.Messages)
	m.refs[env.MessageID] = ref
	return nil
}

func (m *memRefs) ReplyRef(_ context.Context, env core.Envelope) (core.ReplyRef, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ref, ok := m.refs[env.MessageID]
	return ref, ok, nil
}

// A turn replayed after a crash finishes by editing the message its first
// run streamed, instead of leaving it cut off and posting a second one.
func TestReplayEditsTheStreamedMessage(t *testing.T) {
	fake := newFake(t)
	refs := &memRefs{}
	cfg := testConfig(fake)
	first := newAdapter(t, cfg, &memCursors{}, WithReplyRefs(refs))
	ctx := context.Background()
	w, err := first.Reply(ctx, groupEnv)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Update(ctx, "partial answ"); err != nil { // then the process dies
		t.Fatal(err)
	}
	replay := newAdapter(t, cfg, &memCursors{}, WithReplyRefs(refs))
	if err := replyWith(t, replay, groupEnv, nil, "the whole answer"); err != nil {
		t.Fatal(err)
	}
	sent := fake.Sent(-100200)
	if len(sent) != 1 || sent[0].Text != "the whole answer" {
		t.Fatalf("sent %+v, want the streamed message edited to the answer", sent)
	}
}
