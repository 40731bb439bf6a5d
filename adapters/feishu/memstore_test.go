package feishu

import (
	"context"
	"sync"

	"imbot/core"
)

// memStore is an in-memory Inbox and History: the dispatcher's bookkeeping
// without the disk, to separate the adapter's cost from fsync latency.
type memStore struct {
	mu      sync.Mutex
	seen    map[string]bool
	pending map[core.MessageID]core.Envelope
}

func newMemStore() *memStore {
	return &memStore{seen: map[string]bool{}, pending: map[core.MessageID]core.Envelope{}}
}

func (m *memStore) Accept(_ context.Context, env core.Envelope) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := env.DedupKeys()
	for _, k := range keys {
		if m.seen[k] {
			return false, nil
		}
	}
	for _, k := range keys {
		m.seen[k] = true
	}
	m.pending[env.MessageID] = env
	return true, nil
}

func (m *memStore) Pending(context.Context) ([]core.Envelope, error) { return nil, nil }

func (m *memStore) Drop(_ context.Context, env core.Envelope) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.pending, env.MessageID)
	return nil
}

func (m *memStore) Recent(context.Context, core.ConversationKey, int) ([]core.Message, error) {
	return nil, nil
}

func (m *memStore) Complete(ctx context.Context, turn core.Turn) error {
	return m.Drop(ctx, turn.Envelope)
}

func (m *memStore) Reset(context.Context, core.ConversationKey) error { return nil }

// memRefs is an in-memory core.ReplyRefs and core.ReplyIndex: every
// envelope counts as pending until complete moves its messages into the
// index, as the store does when a turn completes.
type memRefs struct {
	mu   sync.Mutex
	refs map[core.MessageID]core.ReplyRef
	bot  map[core.MessageID]bool
}

func newMemRefs() *memRefs {
	return &memRefs{refs: map[core.MessageID]core.ReplyRef{}, bot: map[core.MessageID]bool{}}
}

func (m *memRefs) SaveReplyRef(_ context.Context, env core.Envelope, ref core.ReplyRef) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	ref.Messages = append([]core.MessageID(nil), ref.Messages...)
	m.refs[env.MessageID] = ref
	return nil
}

func (m *memRefs) ReplyRef(_ context.Context, env core.Envelope) (core.ReplyRef, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ref, ok := m.refs[env.MessageID]
	return ref, ok, nil
}

func (m *memRefs) RememberBotMessages(_ context.Context, _ core.Platform, _ core.ChatID, ids ...core.MessageID) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, id := range ids {
		m.bot[id] = true
	}
	return nil
}

func (m *memRefs) BotMessage(_ context.Context, _ core.Platform, _ core.ChatID, id core.MessageID) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bot[id], nil
}

// complete ends env's turn: its reply's messages become the bot's.
func (m *memRefs) complete(env core.Envelope) {
	m.mu.Lock()
	ref := m.refs[env.MessageID]
	delete(m.refs, env.MessageID)
	m.mu.Unlock()
	_ = m.RememberBotMessages(context.Background(), env.Platform, env.ChatID, ref.Messages...)
}
