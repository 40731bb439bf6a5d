package core

import (
	"context"
	"time"
)

// ConversationState is a multi-turn exchange a conversation is in, such as
// a form an interceptor is filling in ("awaiting_order_id"): while it holds,
// the conversation's next messages go to Owner first.
type ConversationState struct {
	// Owner names what set the state (an interceptor's name).
	Owner string
	// Name is the owner's name for the step, opaque to the core.
	Name string
	// Expires is when the state lapses and the conversation returns to the
	// normal route.
	Expires time.Time
}

// StateStore keeps conversation states durably, so that they survive a
// restart. Implementations are safe for concurrent use.
type StateStore interface {
	// State returns conv's state, expired or not; false when it has none.
	State(ctx context.Context, conv ConversationKey) (ConversationState, bool, error)
	// SetState replaces conv's state.
	SetState(ctx context.Context, conv ConversationKey, s ConversationState) error
	// ClearState forgets conv's state and reports whether it had one.
	ClearState(ctx context.Context, conv ConversationKey) (bool, error)
}
