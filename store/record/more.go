package record

import (
	"encoding/binary"

	"imbot/core"
)

func EncodeState(st core.ConversationState) []byte {
	e := enc{b: make([]byte, 0, 24+len(st.Owner)+len(st.Name))}
	e.byte(V1)
	e.string(st.Owner)
	e.string(st.Name)
	e.time(st.Expires)
	return e.b
}

func DecodeState(b []byte) (core.ConversationState, error) {
	d := dec{b: b}
	d.version(V1)
	st := core.ConversationState{Owner: d.string(), Name: d.string(), Expires: d.time()}
	return st, d.done()
}

func EncodeTurnRecord(r core.TurnRecord) []byte {
	e := enc{b: make([]byte, 0, 96+len(r.Question)+len(r.Answer))}
	e.byte(V1)
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

func DecodeTurnRecord(b []byte) (core.TurnRecord, error) {
	d := dec{b: b}
	d.version(V1)
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

func EncodeChatSummary(sum core.ChatSummary) []byte {
	e := enc{b: make([]byte, 0, 1+binary.MaxVarintLen64*5+len(sum.Title))}
	e.byte(V1)
	e.string(sum.Title)
	e.time(sum.Created)
	e.time(sum.Updated)
	return e.b
}

func DecodeChatSummary(b []byte) (core.ChatSummary, error) {
	d := dec{b: b}
	d.version(V1)
	sum := core.ChatSummary{Title: d.string(), Created: d.time(), Updated: d.time()}
	return sum, d.done()
}
