package storage

import (
	"fmt"
	"log/slog"

	"imbot/core"
	"imbot/store/record"
)

// ReadState decodes conv's conversation state from rec; false when rec is
// empty (no state) or unreadable, which is logged on log.
func ReadState(log *slog.Logger, conv core.ConversationKey, rec []byte) (core.ConversationState, bool) {
	if len(rec) == 0 {
		return core.ConversationState{}, false
	}
	st, err := record.DecodeState(rec)
	if err != nil {
		log.Warn("skipping unreadable conversation state", "conversation", fmt.Sprintf("%q", conv), "err", err)
		return core.ConversationState{}, false
	}
	return st, true
}

// ApplyVote sets fb's vote on the turn record encoded in rec; it returns
// the voted record and its encoding, or the error decoding rec.
func ApplyVote(rec []byte, fb core.Feedback) (core.TurnRecord, []byte, error) {
	r, err := record.DecodeTurnRecord(rec)
	if err != nil {
		return core.TurnRecord{}, nil, err
	}
	r.Vote, r.VotedAt = fb.Vote, fb.At
	return r, record.EncodeTurnRecord(r), nil
}
