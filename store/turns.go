package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"imbot/core"
)

var _ core.FeedbackStore = (*Store)(nil)

// maxRecordText bounds the question and the answer a turn record keeps.
const maxRecordText = 16 << 10

// turnKey names the record of the turn answering message turn of conv: the
// conversation key with its length, then the message id.
func turnKey(conv core.ConversationKey, turn core.MessageID) []byte {
	c := conv.String()
	k := binary.AppendUvarint(make([]byte, 0, len(c)+len(turn)+2), uint64(len(c)))
	return append(append(k, c...), turn...)
}

// turnRecordOf summarises a completed turn; its question joins the texts of
// the turn's messages, one per line.
func turnRecordOf(turn core.Turn) core.TurnRecord {
	texts := []string{turn.User.Text}
	for _, f := range turn.Followups {
		texts = append(texts, f.User.Text)
	}
	env := turn.Envelope
	return core.TurnRecord{Conversation: env.Conversation(), Turn: env.MessageID, Platform: env.Platform,
		User: env.UserID, At: turn.Reply.At, Question: truncateUTF8(strings.Join(texts, "\n"), maxRecordText),
		Answer: truncateUTF8(turn.Reply.Text, maxRecordText), Route: turn.Reply.Route, Provider: turn.Reply.Provider,
		Model: turn.Reply.Model, QuestionTokens: turn.User.Tokens, ReplyTokens: turn.Reply.Tokens,
		LatencyMS: turn.Reply.LatencyMS, Arm: turn.Arm}
}

// putTurnRecord files turn's record in tx.
func putTurnRecord(tx *bolt.Tx, turn core.Turn) error {
	r := turnRecordOf(turn)
	return bucket(tx, bucketTurns).Put(turnKey(r.Conversation, r.Turn), encodeTurnRecord(r))
}

// Vote sets the vote on fb's turn and returns its record; false when the
// turn has no record.
func (s *Store) Vote(ctx context.Context, fb core.Feedback) (core.TurnRecord, bool, error) {
	key := turnKey(fb.Conversation, fb.Turn)
	if err := checkKey("turn key", string(key)); err != nil || fb.Turn == "" {
		return core.TurnRecord{}, false, fmt.Errorf("store: vote: bad turn key")
	}
	var rec core.TurnRecord
	var found bool
	err := s.update(ctx, "vote", func(tx *bolt.Tx) error {
		found = false
		b := bucket(tx, bucketTurns)
		v := b.Get(key)
		if v == nil {
			return nil
		}
		r, err := decodeTurnRecord(v)
		if err != nil {
			return err
		}
		r.Vote, r.VotedAt = fb.Vote, fb.At
		rec, found = r, true
		return b.Put(key, encodeTurnRecord(r))
	})
	return rec, found, err
}

// TurnRecords returns the records of turns answered at or after since,
// oldest first; unreadable ones are logged and skipped.
func (s *Store) TurnRecords(ctx context.Context, since time.Time) ([]core.TurnRecord, error) {
	var out []core.TurnRecord
	err := s.view(ctx, "turn_records", func(tx *bolt.Tx) error {
		return bucket(tx, bucketTurns).ForEach(func(k, v []byte) error {
			r, err := decodeTurnRecord(v)
			if err != nil {
				s.log.Warn("skipping unreadable turn record", "key", fmt.Sprintf("%q", k), "err", err)
				return nil
			}
			if !r.At.Before(since) {
				out = append(out, r)
			}
			return nil
		})
	})
	slices.SortStableFunc(out, func(a, b core.TurnRecord) int { return a.At.Compare(b.At) })
	return out, err
}

func encodeTurnRecord(r core.TurnRecord) []byte {
	e := enc{b: make([]byte, 0, 96+len(r.Question)+len(r.Answer))}
	e.byte(recordV1)
	e.string(r.Conversation.String())
	e.string(string(r.Turn))
	e.string(string(r.Platform))
	e.string(string(r.User))
	e.time(r.At)
	e.string(r.Question)
	e.string(r.Answer)
	e.string(string(r.Route))
	e.string(r.Provider)
	e.string(r.Model)
	e.varint(int64(r.QuestionTokens))
	e.varint(int64(r.ReplyTokens))
	e.varint(r.LatencyMS)
	e.string(r.Arm)
	e.varint(int64(r.Vote))
	e.time(r.VotedAt)
	return e.b
}

func decodeTurnRecord(b []byte) (core.TurnRecord, error) {
	d := dec{b: b}
	d.version(recordV1)
	r := core.TurnRecord{Conversation: d.conversation(), Turn: core.MessageID(d.string()),
		Platform: core.Platform(d.string()), User: core.UserID(d.string()), At: d.time(),
		Question: d.string(), Answer: d.string(), Route: core.Route(d.string()), Provider: d.string(),
		Model: d.string(), QuestionTokens: d.int(), ReplyTokens: d.int()}
	r.LatencyMS = d.varint()
	r.Arm = d.string()
	r.Vote = core.Vote(d.int())
	r.VotedAt = d.time()
	if r.Vote < core.VoteDown || r.Vote > core.VoteUp {
		d.fail("bad vote")
	}
	return r, d.done()
}
