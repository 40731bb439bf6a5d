package record_test

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"imbot/core"
	"imbot/store/record"
	"imbot/store/storetest"
)

func sampleMessage() core.Message {
	return core.Message{Role: core.RoleAssistant, Text: "营业时间是 9:00–18:00 🕘", At: time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.UTC),
		Route: core.RouteModel, Provider: "deepseek", Model: "deepseek-chat", Tokens: 17, LatencyMS: 1234}
}

func samplePending() record.Pending {
	env := storetest.Envelope("oc_群", 42)
	env.ChatKind, env.Scope, env.ThreadID = core.ChatGroup, core.ScopeUser, "omt_1"
	env.MentionsBot, env.RepliesToBot = true, true
	return record.Pending{Seq: 1 << 40, Env: env}
}

// sampleAnswered is samplePending with a kept answer and reply ids.
func sampleAnswered() record.Pending {
	p := samplePending()
	p.Answer = &record.Kept{User: core.Message{Role: core.RoleUser, Text: p.Env.Text}, Reply: sampleMessage(), Sent: true}
	p.Ref = core.ReplyRef{Card: "7355_card", Messages: []core.MessageID{"om_a", "om_b"}}
	return p
}

func sampleUnanswered() core.UnansweredQuestion {
	return core.UnansweredQuestion{Question: "退货政策？", Conversation: core.ConversationKey{Platform: "feishu", Chat: "oc_1"}, Platform: "feishu",
		At: time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC), Reason: "all providers failed",
		Candidates: []core.Candidate{{ID: "returns", Score: 0.58}, {ID: "shipping", Score: math.Inf(-1)}}}
}

func sampleMeta() record.ConvMeta {
	return record.ConvMeta{Created: time.Unix(1_700_000_000, 0).UTC(), Last: time.Unix(1_800_000_000, 5).UTC(), Count: 998}
}

func TestRecordRoundTrips(t *testing.T) {
	t.Run("message", func(t *testing.T) {
		for _, m := range []core.Message{sampleMessage(), {}} {
			got, user, err := record.DecodeMessageUser(record.EncodeMessage(m, "u-7"))
			if err != nil || user != "u-7" || !storetest.SameMessages([]core.Message{got}, []core.Message{m}) {
				t.Errorf("round trip of %+v = %+v (user %q), %v", m, got, user, err)
			}
		}
	})
	t.Run("pending", func(t *testing.T) {
		for _, want := range []record.Pending{samplePending(), sampleAnswered()} {
			got, err := record.DecodePending(record.EncodePending(want))
			if err != nil || got.Seq != want.Seq || !storetest.SameEnvelope(got.Env, want.Env) ||
				!reflect.DeepEqual(got.Answer, want.Answer) || !reflect.DeepEqual(got.Ref, want.Ref) {
				t.Errorf("round trip = %+v, %v; want %+v", got, err, want)
			}
		}
	})
	t.Run("unanswered", func(t *testing.T) {
		want := sampleUnanswered()
		got, err := record.DecodeUnanswered(record.EncodeUnanswered(want))
		if err != nil || !bytes.Equal(record.EncodeUnanswered(got), record.EncodeUnanswered(want)) || !got.At.Equal(want.At) {
			t.Errorf("round trip = %+v, %v; want %+v", got, err, want)
		}
	})
	t.Run("meta", func(t *testing.T) {
		want := sampleMeta()
		got, err := record.DecodeConvMeta(record.EncodeConvMeta(want))
		if err != nil || got != want {
			t.Errorf("round trip = %+v, %v; want %+v", got, err, want)
		}
	})
	t.Run("zero time", func(t *testing.T) {
		got, err := record.DecodeExpiry(record.EncodeExpiry(time.Time{}))
		if err != nil || !got.IsZero() {
			t.Errorf("round trip of the zero time = %v, %v", got, err)
		}
	})
}

func TestDecodeRejectsCorruptRecords(t *testing.T) {
	msg := record.EncodeMessage(sampleMessage(), "u-7")
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"unknown version", append([]byte{99}, msg[1:]...)},
		{"truncated", msg[:len(msg)-1]},
		{"trailing byte", append(bytes.Clone(msg), 0)},
		{"length past the end", []byte{record.V1, 0xff, 0xff, 0x03, 'a'}},
		{"overlong varint", append([]byte{record.V1}, bytes.Repeat([]byte{0xff}, 11)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := record.DecodeMessage(tt.b); !errors.Is(err, record.ErrCorrupt) {
				t.Errorf("record.DecodeMessage(%x) error = %v, want record.ErrCorrupt", tt.b, err)
			}
		})
	}
	pend := record.EncodePending(samplePending())
	badKind := bytes.Clone(pend)
	badKind[bytes.Index(pend, []byte("oc_群"))+len("oc_群")] = 7
	if _, err := record.DecodePending(badKind); !errors.Is(err, record.ErrCorrupt) {
		t.Errorf("record.DecodePending with chat kind 7: error = %v, want record.ErrCorrupt", err)
	}
	if _, err := record.DecodeExpiry([]byte{record.V1, 0, 0x80, 0x94, 0xeb, 0xdc, 0x03}); !errors.Is(err, record.ErrCorrupt) {
		t.Errorf("record.DecodeExpiry with 1e9 nanoseconds: error = %v, want record.ErrCorrupt", err)
	}
	if _, _, err := record.DecodeVector([]byte{record.V1, 2, 0, 0, 0, 0}); !errors.Is(err, record.ErrCorrupt) {
		t.Errorf("record.DecodeVector of a short vector: error = %v, want record.ErrCorrupt", err)
	}
}

// fuzzDecoder checks that decode never panics, fails only with record.ErrCorrupt,
// and that whatever it accepts re-encodes to bytes it decodes identically.
func fuzzDecoder[T any](f *testing.F, decode func([]byte) (T, error), encode func(T) []byte, seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(s)
		f.Add(s[:len(s)/2])
	}
	f.Add([]byte{})
	f.Add([]byte{record.V1})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decode(b)
		if err != nil {
			if !errors.Is(err, record.ErrCorrupt) {
				t.Fatalf("decode(%x) error %v does not wrap record.ErrCorrupt", b, err)
			}
			return
		}
		re := encode(v)
		v2, err := decode(re)
		if err != nil {
			t.Fatalf("re-encoded %x does not decode: %v", re, err)
		}
		if again := encode(v2); !bytes.Equal(again, re) {
			t.Fatalf("encoding is unstable: %x then %x", re, again)
		}
	})
}

// ownedMessage is a message record's content: the message and its user.
type ownedMessage struct {
	m    core.Message
	user core.UserID
}

func decodeOwned(b []byte) (ownedMessage, error) {
	m, u, err := record.DecodeMessageUser(b)
	return ownedMessage{m, u}, err
}

func encodeOwned(o ownedMessage) []byte { return record.EncodeMessage(o.m, o.user) }

func FuzzDecodeMessage(f *testing.F) {
	f.Add(encodeV1Message(sampleMessage()))
	fuzzDecoder(f, decodeOwned, encodeOwned, record.EncodeMessage(sampleMessage(), "u-7"), record.EncodeMessage(core.Message{}, ""))
}

// encodeV1Message encodes m as schema 1 and 2 did: without a user.
func encodeV1Message(m core.Message) []byte {
	b := record.EncodeMessage(m, "")
	b[0] = record.V1
	return b[:len(b)-1] // drop the empty user string's length byte
}

func TestDecodeV1MessageHasNoUser(t *testing.T) {
	m, user, err := record.DecodeMessageUser(encodeV1Message(sampleMessage()))
	if err != nil || user != "" || !storetest.SameMessages([]core.Message{m}, []core.Message{sampleMessage()}) {
		t.Fatalf("v1 record decoded as %+v, user %q, %v", m, user, err)
	}
}

func FuzzDecodePending(f *testing.F) {
	fuzzDecoder(f, record.DecodePending, record.EncodePending, record.EncodePending(samplePending()), record.EncodePending(sampleAnswered()))
}

func FuzzDecodeUnanswered(f *testing.F) {
	fuzzDecoder(f, record.DecodeUnanswered, record.EncodeUnanswered, record.EncodeUnanswered(sampleUnanswered()))
}

func FuzzDecodeConvMeta(f *testing.F) {
	fuzzDecoder(f, record.DecodeConvMeta, record.EncodeConvMeta, record.EncodeConvMeta(sampleMeta()))
}

func FuzzDecodeExpiry(f *testing.F) {
	fuzzDecoder(f, record.DecodeExpiry, record.EncodeExpiry, record.EncodeExpiry(time.Unix(1_800_000_000, 999_999_999)))
}

func FuzzDecodeCursor(f *testing.F) {
	fuzzDecoder(f, record.DecodeCursor, record.EncodeCursor, record.EncodeCursor("815"), record.EncodeCursor(""))
}

func FuzzDecodeCount(f *testing.F) {
	fuzzDecoder(f, record.DecodeCount, record.EncodeCount, record.EncodeCount(0), record.EncodeCount(math.MaxUint64))
}

// usedVector is a vector record's contents, for fuzzDecoder.
type usedVector struct {
	v    []float32
	used time.Time
}

func FuzzDecodeVector(f *testing.F) {
	decode := func(b []byte) (usedVector, error) {
		v, used, err := record.DecodeVector(b)
		return usedVector{v, used}, err
	}
	encode := func(u usedVector) []byte { return record.EncodeVector(u.v, u.used) }
	v1 := []byte{record.V1, 2, 0, 0, 0x80, 0x3f, 0, 0, 0, 0}
	fuzzDecoder(f, decode, encode, record.EncodeVector([]float32{1, -2.5, float32(math.NaN())}, time.Unix(1_800_000_000, 5)), v1)
}
