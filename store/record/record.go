package record

import (
	"encoding/binary"
	"math"
	"time"

	"imbot/core"
)

// Record versions. Each record starts with its version byte; a decoder
// accepts every version it knows, so a later release reads older files.
// A new record version comes with a schema version step (the bbolt store's schema.go and a PostgreSQL migration), so an
// older release refuses the file instead of skipping records it cannot read.
const (
	V1 byte = 1
	// V2: pending records gain a kept answer and the reply's platform
	// ids (schema 2); vectors when they were last used (schema 4); message
	// and unanswered records the user who asked (schema 5), so that one
	// user's data can be erased.
	V2 byte = 2
	V3 byte = 3 // pending records: a kept answer's coalesced follow-ups (schema 6)
)

// EncodeMessage encodes m, a message asked by user or answering them.
func EncodeMessage(m core.Message, user core.UserID) []byte {
	e := newEnc(V2, 32+len(m.Text)+len(m.Role)+len(m.Route)+len(m.Provider)+len(m.Model)+len(user))
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

// DecodeMessage decodes a message record of any version, without its user.
func DecodeMessage(b []byte) (core.Message, error) {
	m, _, err := DecodeMessageUser(b)
	return m, err
}

// DecodeMessageUser decodes a message and the user it belongs to; the user
// is empty in a version 1 record.
func DecodeMessageUser(b []byte) (core.Message, core.UserID, error) {
	d := dec{b: b, all: string(b)}
	v := d.version(V1, V2)
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
	if v >= V2 {
		user = core.UserID(d.string())
	}
	return m, user, d.done()
}

// Pending is an accepted envelope waiting for its turn; Seq orders the
// records by acceptance. Answer is the turn's kept answer, nil until the
// dispatcher keeps one; Ref is the reply's platform ids, when saved.
type Pending struct {
	Seq    uint64
	Env    core.Envelope
	Answer *Kept
	Ref    core.ReplyRef
}

// Kept is the answer of a pending turn (core.KeptAnswer without the
// envelope, which the record already holds).
type Kept struct {
	User, Reply core.Message
	Followups   []core.Followup
	Sent        bool
}

// EncodePending encodes p in the newest version (V3).
func EncodePending(p Pending) []byte {
	env := p.Env
	e := newEnc(V3, 48+len(env.Platform)+len(env.ChatID)+len(env.ThreadID)+len(env.UserID)+
		len(env.UserName)+len(env.MessageID)+len(env.EventID)+len(env.Text))
	e.uvarint(p.Seq)
	e.envelope(env)
	e.bool(p.Answer != nil)
	if p.Answer != nil {
		e.string(string(EncodeMessage(p.Answer.User, env.UserID)))
		e.string(string(EncodeMessage(p.Answer.Reply, env.UserID)))
		e.bool(p.Answer.Sent)
	}
	e.string(p.Ref.Card)
	e.uvarint(uint64(len(p.Ref.Messages)))
	for _, id := range p.Ref.Messages {
		e.string(string(id))
	}
	if p.Answer != nil {
		e.uvarint(uint64(len(p.Answer.Followups)))
		for _, f := range p.Answer.Followups {
			e.envelope(f.Envelope)
			e.string(string(EncodeMessage(f.User, f.Envelope.UserID)))
		}
	}
	return e.b
}

// envelope appends env's stored fields (every field but Burst).
func (e *enc) envelope(env core.Envelope) {
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
}

// DecodePending decodes a pending record of any version; older versions
// have no kept answer, reply ids or follow-ups.
func DecodePending(b []byte) (Pending, error) {
	d := dec{b: b}
	v := d.version(V1, V2, V3)
	p := Pending{Seq: d.uvarint(), Env: d.envelope()}
	if v >= V2 {
		p.Answer, p.Ref = decodePendingV2(&d)
	}
	if v >= V3 && p.Answer != nil {
		p.Answer.Followups = decodeFollowups(&d)
	}
	return p, d.done()
}

// envelope reads the fields enc.envelope wrote.
func (d *dec) envelope() core.Envelope {
	var env core.Envelope
	env.Platform = core.Platform(d.string())
	env.ChatID = core.ChatID(d.string())
	env.ChatKind = core.ChatKind(d.byte())
	env.ThreadID = core.ThreadID(d.string())
	env.UserID = core.UserID(d.string())
	env.UserName = d.string()
	env.MessageID = core.MessageID(d.string())
	env.EventID = d.string()
	env.Text = d.string()
	env.MentionsBot = d.bool()
	env.RepliesToBot = d.bool()
	env.Scope = core.Scope(d.byte())
	env.Received = d.time()
	if env.ChatKind > core.ChatGroup {
		d.fail("bad chat kind")
	}
	if !env.Scope.Valid() {
		d.fail("bad scope")
	}
	return env
}

// decodeFollowups reads what version 3 added to a pending record: the kept
// answer's follow-up messages.
func decodeFollowups(d *dec) []core.Followup {
	n := d.count(2)
	if n == 0 {
		return nil
	}
	fs := make([]core.Followup, n)
	for i := range fs {
		fs[i] = core.Followup{Envelope: d.envelope(), User: d.message()}
	}
	return fs
}

// decodePendingV2 reads what version 2 added to a pending record.
func decodePendingV2(d *dec) (*Kept, core.ReplyRef) {
	var a *Kept
	if d.bool() {
		a = &Kept{User: d.message(), Reply: d.message(), Sent: d.bool()}
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

// ConvMeta describes one conversation: when it was first and last written
// and how many messages it holds.
type ConvMeta struct {
	Created time.Time
	Last    time.Time
	Count   uint64
}

// EncodeConvMeta encodes a conversation's meta record.
func EncodeConvMeta(m ConvMeta) []byte {
	e := newEnc(V1, 32)
	e.time(m.Created)
	e.time(m.Last)
	e.uvarint(m.Count)
	return e.b
}

// DecodeConvMeta decodes a conversation's meta record.
func DecodeConvMeta(b []byte) (ConvMeta, error) {
	return decodeV1(b, func(d *dec) ConvMeta { return ConvMeta{Created: d.time(), Last: d.time(), Count: d.uvarint()} })
}

// EncodeExpiry encodes a dedup mark: the time after which it is forgotten.
func EncodeExpiry(t time.Time) []byte { return encodeV1(t, 16, (*enc).time) }

// DecodeExpiry decodes a dedup or bot message mark's expiry.
func DecodeExpiry(b []byte) (time.Time, error) { return decodeV1(b, (*dec).time) }

// EncodeCursor encodes a platform cursor's value.
func EncodeCursor(v string) []byte { return encodeV1(v, 1+binary.MaxVarintLen64+len(v), (*enc).string) }

// DecodeCursor decodes a platform cursor's value.
func DecodeCursor(b []byte) (string, error) { return decodeV1(b, (*dec).string) }

// EncodeCount encodes a counter (a usage day's tokens).
func EncodeCount(n uint64) []byte { return encodeV1(n, 1+binary.MaxVarintLen64, (*enc).uvarint) }

// DecodeCount decodes a counter.
func DecodeCount(b []byte) (uint64, error) { return decodeV1(b, (*dec).uvarint) }

// EncodeVector encodes v, last used at used (record version 2).
func EncodeVector(v []float32, used time.Time) []byte {
	e := newEnc(V2, 1+2*binary.MaxVarintLen64+binary.MaxVarintLen64+4*len(v))
	e.time(used)
	e.uvarint(uint64(len(v)))
	for _, x := range v {
		e.b = binary.LittleEndian.AppendUint32(e.b, math.Float32bits(x))
	}
	return e.b
}

// DecodeVector decodes a vector and when it was last used; a version 1
// record (no such time) reports the zero time.
func DecodeVector(b []byte) ([]float32, time.Time, error) {
	d := dec{b: b}
	var used time.Time
	if d.version(V1, V2) == V2 {
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

// EncodeUnanswered encodes a queued question in the newest version (V2).
func EncodeUnanswered(u core.UnansweredQuestion) []byte {
	e := newEnc(V2, 48+len(u.Question)+len(u.Conversation.Chat)+len(u.Reason)+len(u.User)+24*len(u.Candidates))
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

// DecodeUnanswered decodes a queued question of any version; a version 1
// record has no user.
func DecodeUnanswered(b []byte) (core.UnansweredQuestion, error) {
	d := dec{b: b}
	v := d.version(V1, V2)
	u := core.UnansweredQuestion{
		Question:     d.string(),
		Conversation: d.conversation(),
		Platform:     core.Platform(d.string()),
		At:           d.time(),
		Reason:       d.string(),
	}
	const minCandidate = 1 + 8 // empty id + score
	if n := d.count(minCandidate); n > 0 {
		u.Candidates = make([]core.Candidate, n)
		for i := range u.Candidates {
			u.Candidates[i] = core.Candidate{ID: d.string(), Score: d.float64()}
		}
	}
	if v >= V2 {
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
