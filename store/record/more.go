package record

import (
	"encoding/binary"

	"imbot/core"
)

// EncodeState encodes a conversation state: the interceptor owning it,
// its name and its expiry.
func EncodeState(st core.ConversationState) []byte {
	e := newEnc(V1, 24+len(st.Owner)+len(st.Name))
	e.string(st.Owner)
	e.string(st.Name)
	e.time(st.Expires)
	return e.b
}

// DecodeState decodes a conversation state record.
func DecodeState(b []byte) (core.ConversationState, error) {
	return decodeV1(b, func(d *dec) core.ConversationState {
		return core.ConversationState{Owner: d.string(), Name: d.string(), Expires: d.time()}
	})
}

// EncodeTurnRecord encodes the record of an answered turn with its vote.
func EncodeTurnRecord(r core.TurnRecord) []byte {
	e := newEnc(V1, 96+len(r.Question)+len(r.Answer))
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

// DecodeTurnRecord decodes a turn record; a vote outside down..up is
// corrupt.
func DecodeTurnRecord(b []byte) (core.TurnRecord, error) { return decodeV1(b, (*dec).turnRecord) }

// turnRecord reads the fields EncodeTurnRecord wrote after the version.
func (d *dec) turnRecord() core.TurnRecord {
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
	return r
}

// EncodeChatSummary encodes a chat list entry: its title and when it was
// created and last updated (the chat id is the key).
func EncodeChatSummary(sum core.ChatSummary) []byte {
	e := newEnc(V1, 1+binary.MaxVarintLen64*5+len(sum.Title))
	e.string(sum.Title)
	e.time(sum.Created)
	e.time(sum.Updated)
	return e.b
}

// DecodeChatSummary decodes a chat list entry; Chat stays empty.
func DecodeChatSummary(b []byte) (core.ChatSummary, error) {
	return decodeV1(b, func(d *dec) core.ChatSummary {
		return core.ChatSummary{Title: d.string(), Created: d.time(), Updated: d.time()}
	})
}
