package core

import "context"

// recent returns env's earlier messages, oldest first: its Transcript when
// the caller gave one (a stateless request), else the newest limit of its
// conversation's stored history.
func (r *Router) recent(ctx context.Context, env Envelope, limit int) ([]Message, error) {
	if env.Transcript != nil {
		return env.Transcript.Messages, nil
	}
	return r.deps.History.Recent(ctx, env.Conversation(), limit)
}
