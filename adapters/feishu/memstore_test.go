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
