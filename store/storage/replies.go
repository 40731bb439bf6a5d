package storage

import (
	"context"
	"fmt"

	"imbot/core"
	"imbot/store/record"
)

// ReadPending returns env's pending record, the zero Pending when env is
// not pending; op names the call in errors.
type ReadPending func(ctx context.Context, op string, env core.Envelope) (record.Pending, error)

// UpdatePending rewrites env's pending record with change applied, in one
// transaction; it does nothing when env is not pending or its record is
// unreadable. op names the write in errors and metrics.
type UpdatePending func(ctx context.Context, op string, env core.Envelope, change func(*record.Pending)) error

// Replies implements the kept answers and reply refs of core.Store on a
// backend's pending records, for every backend alike; a backend embeds it.
// Its methods are safe for concurrent use when read and update are.
type Replies struct {
	name   string
	read   ReadPending
	update UpdatePending
}

// NewReplies returns Replies over a backend's pending records; name (the
// backend's package: "store", "postgres") prefixes its errors.
func NewReplies(name string, read ReadPending, update UpdatePending) Replies {
	return Replies{name: name, read: read, update: update}
}

// KeepAnswer saves turn's answer, and whether it was sent, on the pending
// record of turn.Envelope; it does nothing when the envelope is not pending.
func (r Replies) KeepAnswer(ctx context.Context, turn core.Turn, sent bool) error {
	return r.update(ctx, "keep_answer", turn.Envelope, record.KeepAnswer(turn, sent))
}

// KeptAnswer returns the answer kept on env's pending record; false when
// env is not pending or has none.
func (r Replies) KeptAnswer(ctx context.Context, env core.Envelope) (core.KeptAnswer, bool, error) {
	p, err := r.read(ctx, "kept_answer", env)
	kept, ok := p.KeptAnswer()
	return kept, ok, err
}

// SaveReplyRef replaces the reply's platform ids on env's pending record;
// it does nothing when env is not pending. Ids are at most MaxKeyLen bytes,
// and a ref holds at most MaxRefMessages messages.
func (r Replies) SaveReplyRef(ctx context.Context, env core.Envelope, ref core.ReplyRef) error {
	if err := CheckRef(ref); err != nil {
		return fmt.Errorf("%s: save reply ref: %w", r.name, err)
	}
	return r.update(ctx, "reply_ref", env, record.SaveRef(ref))
}

// ReplyRef returns the reply's platform ids saved on env's pending record;
// false when env is not pending or none were saved.
func (r Replies) ReplyRef(ctx context.Context, env core.Envelope) (core.ReplyRef, bool, error) {
	p, err := r.read(ctx, "reply_ref", env)
	ref, ok := p.ReplyRef()
	return ref, ok, err
}
