package record

import "imbot/core"

// KeepAnswer returns the edit of a pending record that keeps turn's answer,
// and whether it was sent.
func KeepAnswer(turn core.Turn, sent bool) func(*Pending) {
	kept := &Kept{User: turn.User, Reply: turn.Reply, Followups: turn.Followups, Sent: sent}
	return func(p *Pending) { p.Answer = kept }
}

// SaveRef returns the edit of a pending record that replaces the reply's
// platform ids with ref.
func SaveRef(ref core.ReplyRef) func(*Pending) {
	return func(p *Pending) { p.Ref = ref }
}

// KeptAnswer returns the turn and answer kept on p; false when it has none
// (also for the zero Pending).
func (p Pending) KeptAnswer() (core.KeptAnswer, bool) {
	if p.Answer == nil {
		return core.KeptAnswer{}, false
	}
	turn := core.Turn{Envelope: p.Env, User: p.Answer.User, Followups: p.Answer.Followups, Reply: p.Answer.Reply}
	return core.KeptAnswer{Turn: turn, Sent: p.Answer.Sent}, true
}

// ReplyRef returns the reply's platform ids saved on p; false when none were
// saved.
func (p Pending) ReplyRef() (core.ReplyRef, bool) {
	if p.Ref.Card == "" && len(p.Ref.Messages) == 0 {
		return core.ReplyRef{}, false
	}
	return p.Ref, true
}
