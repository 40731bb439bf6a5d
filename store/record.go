package store

import (
	"encoding/binary"
	"math"
	"time"

	"imbot/core"
)

// Record versions. Each record starts with its version byte; a decoder
// accepts every version it knows, so a later release reads older files.
// A new record version comes with a schema version step (schema.go), so an
// older release refuses the file instead of skipping records it cannot read.
const (
	recordV1 byte = 1
	// recordV2: pending records gain a kept answer and the reply's platform
	// ids (schema 2); vectors when they were last used (schema 4); message
	// and unanswered records the user who asked (schema 5), so that one
	// user's data can be erased.
	recordV2 byte = 2
)

// maxRefMessages bounds the reply message ids kept for one turn.
const maxRefMessages = 64

// encodeMessage encodes m, a message asked by user or answering them.
func encodeMessage(m core.Message, user core.UserID) []byte {
	e := enc{b: make([]byte, 0, 32+len(m.Text)+len(m.Role)+len(m.Route)+len(m.Provider)+len(m.Model)+len(user))}
	e.byte(recordV2)
	e.string(string(m.Role))
	e.string(m.Text)
	e.time(m.At)
	e.string(string(m.Route))
	e.string(m.Provider)
	e.string(m.Model)
	e.varint(int64(m.Tokens))
	e.varint(m.LatencyMS)
	e.string(string(user))
	return e.b
}

func decodeMessage(b []byte) (core.Message, error) {
	m, _, err := decodeMessageUser(b)
	return m, err
}

// decodeMessageUser decodes a message and the user it belongs to; the user
// is empty in a version 1 record.
func decodeMessageUser(b []byte) (core.Message, core.UserID, error) {
	d := dec{b: b}
	v := d.version(recordV1, recordV2)
	m := core.Message{
		Role:     core.Role(d.string()),
		Text:     d.string(),
		At:       d.time(),
		Route:    core.Route(d.string()),
		Provider: d.string(),
		Model:    d.string(),
		Tokens:   d.int(),
	}
	m.LatencyMS = d.varint()
	var user core.UserID
	if v >= recordV2 {
		user = core.UserID(d.string())
	}
	return m, user, d.done()
}

// pendingRecord is an accepted envelope waiting for its turn; Seq orders the
// records by acceptance. Answer is the turn's kept answer, nil until the
// dispatcher keeps one; Ref is the reply's platform ids, when saved.
type pendingRecord struct {
	Seq    uint64
	Env    core.Envelope
	Answer *keptAnswer
	Ref    core.ReplyRef
}

// keptAnswer is the answer of a pending turn (core.KeptAnswer without the
// envelope, which the record already holds).
type keptAnswer struct {
	User, Reply core.Message
	Sent        bool
}

func encodePending(p pendingRecord) []byte {
	env := p.Env
	e := enc{b: make([]byte, 0, 48+len(env.Platform)+len(env.ChatID)+len(env.ThreadID)+len(env.UserID)+
		len(env.UserName)+len(env.MessageID)+len(env.EventID)+len(env.Text))}
	e.byte(recordV2)
	e.uvarint(p.Seq)
	e.string(string(env.Platform))
	e.string(string(env.ChatID))
	e.byte(byte(env.ChatKind))
	e.string(string(env.ThreadID))
	e.string(string(env.UserID))
	e.string(env.UserName)
	e.string(string(env.MessageID))
	e.string(env.EventID)
	e.string(env.Text)
	e.bool(env.MentionsBot)
	e.bool(env.RepliesToBot)
	e.byte(byte(env.Scope))
	e.time(env.Received)
	e.bool(p.Answer != nil)
	if p.Answer != nil {
		e.string(string(encodeMessage(p.Answer.User, env.UserID)))
		e.string(string(encodeMessage(p.Answer.Reply, env.UserID)))
		e.bool(p.Answer.Sent)
	}
	e.string(p.Ref.Card)
	e.uvarint(uint64(len(p.Ref.Messages)))
	for _, id := range p.Ref.Messages {
		e.string(string(id))
	}
	return e.b
}

func decodePending(b []byte) (pendingRecord, error) {
	d := dec{b: b}
	v := d.version(recordV1, recordV2)
	p := pendingRecord{Seq: d.uvarint()}
	p.Env.Platform = core.Platform(d.string())
	p.Env.ChatID = core.ChatID(d.string())
	p.Env.ChatKind = core.ChatKind(d.byte())
	p.Env.ThreadID = core.ThreadID(d.string())
	p.Env.UserID = core.UserID(d.string())
	p.Env.UserName = d.string()
	p.Env.MessageID = core.MessageID(d.string())
	p.Env.EventID = d.string()
	p.Env.Text = d.string()
	p.Env.MentionsBot = d.bool()
	p.Env.RepliesToBot = d.bool()
	p.Env.Scope = core.Scope(d.byte())
	p.Env.Received = d.time()
	if p.Env.ChatKind > core.ChatGroup {
		d.fail("bad chat kind")
	}
	if !p.Env.Scope.Valid() {
		d.fail("bad scope")
	}
	if v == recordV2 {
		p.Answer, p.Ref = decodePendingV2(&d)
	}
	return p, d.done()
}

// decodePendingV2 reads what version 2 added to a pending record.
func decodePendingV2(d *dec) (*keptAnswer, core.ReplyRef) {
	var a *keptAnswer
	if d.bool() {
		a = &keptAnswer{User: d.message(), Reply: d.message(), Sent: d.bool()}
	}
	ref := core.ReplyRef{Card: d.string()}
	if n := d.count(1); n > 0 {
		ref.Messages = make([]core.MessageID, n)
		for i := range ref.Messages {
			ref.Messages[i] = core.MessageID(d.string())
		}
	}
	return a, ref
}

// convMeta describes one conversation: when it was first and last written
// and how many messages it holds.
type convMeta struct {
	Created time.Time
	Last    time.Time
	Count   uint64
}

func encodeConvMeta(m convMeta) []byte {
	e := enc{b: make([]byte, 0, 32)}
	e.byte(recordV1)
	e.time(m.Created)
	e.time(m.Last)
	e.uvarint(m.Count)
	return e.b
}

func decodeConvMeta(b []byte) (convMeta, error) {
	d := dec{b: b}
	d.version(recordV1)
	m := convMeta{Created: d.time(), Last: d.time(), Count: d.uvarint()}
	return m, d.done()
}

// encodeExpiry encodes a dedup mark: the time after which it is forgotten.
func encodeExpiry(t time.Time) []byte {
	e := enc{b: make([]byte, 0, 16)}
	e.byte(recordV1)
	e.time(t)
	return e.b
}

func decodeExpiry(b []byte) (time.Time, error) {
	d := dec{b: b}
	d.version(recordV1)
	t := d.time()
	return t, d.done()
}

func encodeCursor(v string) []byte {
	e := enc{b: make([]byte, 0, 1+binary.MaxVarintLen64+len(v))}
	e.byte(recordV1)
	e.string(v)
	return e.b
}

func decodeCursor(b []byte) (string, error) {
	d := dec{b: b}
	d.version(recordV1)
	v := d.string()
	return v, d.done()
}

func encodeCount(n uint64) []byte {
	e := enc{b: make([]byte, 0, 1+binary.MaxVarintLen64)}
	e.byte(recordV1)
	e.uvarint(n)
	return e.b
}

func decodeCount(b []byte) (uint64, error) {
	d := dec{b: b}
	d.version(recordV1)
	n := d.uvarint()
	return n, d.done()
}

// encodeVector encodes v, last used at used (record version 2).
func encodeVector(v []float32, used time.Time) []byte {
	e := enc{b: make([]byte, 0, 1+2*binary.MaxVarintLen64+binary.MaxVarintLen64+4*len(v))}
	e.byte(recordV2)
	e.time(used)
	e.uvarint(uint64(len(v)))
	for _, x := range v {
		e.b = binary.LittleEndian.AppendUint32(e.b, math.Float32bits(x))
	}
	return e.b
}

// decodeVector decodes a vector and when it was last used; a version 1
// record (no such time) reports the zero time.
func decodeVector(b []byte) ([]float32, time.Time, error) {
	d := dec{b: b}
	var used time.Time
	if d.version(recordV1, recordV2) == recordV2 {
		used = d.time()
	}
	n := d.count(4)
	if d.err != nil {
		return nil, time.Time{}, d.err
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(d.b[4*i:]))
	}
	d.b = d.b[4*n:]
	return v, used, d.done()
}

func encodeUnanswered(u Unanswered) []byte {
	e := enc{b: make([]byte, 0, 48+len(u.Question)+len(u.Conversation.Chat)+len(u.Reason)+len(u.User)+24*len(u.Candidates))}
	e.byte(recordV2)
	e.string(u.Question)
	e.string(convString(u.Conversation))
	e.string(string(u.Platform))
	e.time(u.At)
	e.string(u.Reason)
	e.uvarint(uint64(len(u.Candidates)))
	for _, c := range u.Candidates {
		e.string(c.ID)
		e.float64(c.Score)
	}
	e.string(string(u.User))
	return e.b
}

func decodeUnanswered(b []byte) (Unanswered, error) {
	d := dec{b: b}
	v := d.version(recordV1, recordV2)
	u := Unanswered{
		Question:     d.string(),
		Conversation: d.conversation(),
		Platform:     core.Platform(d.string()),
		At:           d.time(),
		Reason:       d.string(),
	}
	const minCandidate = 1 + 8 // empty id + score
	if n := d.count(minCandidate); n > 0 {
		u.Candidates = make([]Candidate, n)
		for i := range u.Candidates {
			u.Candidates[i] = Candidate{ID: d.string(), Score: d.float64()}
		}
	}
	if v >= recordV2 {
		u.User = core.UserID(d.string())
	}
	return u, d.done()
}

// convString encodes k for a record; the zero key is the empty string.
func convString(k core.ConversationKey) string {
	if k == (core.ConversationKey{}) {
		return ""
	}
	return k.String()
}
