package record

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"imbot/core"
)

func sampleMessage() core.Message {
	return core.Message{Role: core.RoleAssistant, Text: "营业时间是 9:00–18:00 🕘", At: time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.UTC),
		Route: core.RouteModel, Provider: "deepseek", Model: "deepseek-chat", Tokens: 17, LatencyMS: 1234}
}

func samplePending() Pending {
	env := envelope("oc_群", 42)
	env.ChatKind, env.Scope, env.ThreadID = core.ChatGroup, core.ScopeUser, "omt_1"
	env.MentionsBot, env.RepliesToBot = true, true
	return Pending{Seq: 1 << 40, Env: env}
}

// sampleAnswered is samplePending with a kept answer and reply ids.
func sampleAnswered() Pending {
	p := samplePending()
	p.Answer = &Kept{User: core.Message{Role: core.RoleUser, Text: p.Env.Text}, Reply: sampleMessage(), Sent: true}
	p.Ref = core.ReplyRef{Card: "7355_card", Messages: []core.MessageID{"om_a", "om_b"}}
	return p
}

func sampleUnanswered() core.UnansweredQuestion {
	return core.UnansweredQuestion{Question: "退货政策？", Conversation: core.ConversationKey{Platform: "feishu", Chat: "oc_1"}, Platform: "feishu",
		At: time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC), Reason: "all providers failed",
		Candidates: []core.Candidate{{ID: "returns", Score: 0.58}, {ID: "shipping", Score: math.Inf(-1)}}}
}

func sampleMeta() ConvMeta {
	return ConvMeta{Created: time.Unix(1_700_000_000, 0).UTC(), Last: time.Unix(1_800_000_000, 5).UTC(), Count: 998}
}

func TestRecordRoundTrips(t *testing.T) {
	t.Run("message", func(t *testing.T) {
		for _, m := range []core.Message{sampleMessage(), {}} {
			got, user, err := DecodeMessageUser(EncodeMessage(m, "u-7"))
			if err != nil || user != "u-7" || !sameMessages([]core.Message{got}, []core.Message{m}) {
				t.Errorf("round trip of %+v = %+v (user %q), %v", m, got, user, err)
			}
		}
	})
	t.Run("pending", func(t *testing.T) {
		for _, want := range []Pending{samplePending(), sampleAnswered()} {
			got, err := DecodePending(EncodePending(want))
			if err != nil || got.Seq != want.Seq || !sameEnvelope(got.Env, want.Env) ||
				!reflect.DeepEqual(got.Answer, want.Answer) || !reflect.DeepEqual(got.Ref, want.Ref) {
				t.Errorf("round trip = %+v, %v; want %+v", got, err, want)
			}
		}
	})
	t.Run("unanswered", func(t *testing.T) {
		want := sampleUnanswered()
		got, err := DecodeUnanswered(EncodeUnanswered(want))
		if err != nil || !bytes.Equal(EncodeUnanswered(got), EncodeUnanswered(want)) || !got.At.Equal(want.At) {
			t.Errorf("round trip = %+v, %v; want %+v", got, err, want)
		}
	})
	t.Run("meta", func(t *testing.T) {
		want := sampleMeta()
		got, err := DecodeConvMeta(EncodeConvMeta(want))
		if err != nil || got != want {
			t.Errorf("round trip = %+v, %v; want %+v", got, err, want)
		}
	})
	t.Run("zero time", func(t *testing.T) {
		got, err := DecodeExpiry(EncodeExpiry(time.Time{}))
		if err != nil || !got.IsZero() {
			t.Errorf("round trip of the zero time = %v, %v", got, err)
		}
	})
}

func TestDecodeRejectsCorruptRecords(t *testing.T) {
	msg := EncodeMessage(sampleMessage(), "u-7")
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"unknown version", append([]byte{99}, msg[1:]...)},
		{"truncated", msg[:len(msg)-1]},
		{"trailing byte", append(bytes.Clone(msg), 0)},
		{"length past the end", []byte{V1, 0xff, 0xff, 0x03, 'a'}},
		{"overlong varint", append([]byte{V1}, bytes.Repeat([]byte{0xff}, 11)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeMessage(tt.b); !errors.Is(err, ErrCorrupt) {
				t.Errorf("DecodeMessage(%x) error = %v, want ErrCorrupt", tt.b, err)
			}
		})
	}
	pend := EncodePending(samplePending())
	badKind := bytes.Clone(pend)
	badKind[bytes.Index(pend, []byte("oc_群"))+len("oc_群")] = 7
	if _, err := DecodePending(badKind); !errors.Is(err, ErrCorrupt) {
		t.Errorf("DecodePending with chat kind 7: error = %v, want ErrCorrupt", err)
	}
	if _, err := DecodeExpiry([]byte{V1, 0, 0x80, 0x94, 0xeb, 0xdc, 0x03}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("DecodeExpiry with 1e9 nanoseconds: error = %v, want ErrCorrupt", err)
	}
	if _, _, err := DecodeVector([]byte{V1, 2, 0, 0, 0, 0}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("DecodeVector of a short vector: error = %v, want ErrCorrupt", err)
	}
}

// fuzzDecoder checks that decode never panics, fails only with ErrCorrupt,
// and that whatever it accepts re-encodes to bytes it decodes identically.
func fuzzDecoder[T any](f *testing.F, decode func([]byte) (T, error), encode func(T) []byte, seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(s)
		f.Add(s[:len(s)/2])
	}
	f.Add([]byte{})
	f.Add([]byte{V1})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decode(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("decode(%x) error %v does not wrap ErrCorrupt", b, err)
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
	m, u, err := DecodeMessageUser(b)
	return ownedMessage{m, u}, err
}

func encodeOwned(o ownedMessage) []byte { return EncodeMessage(o.m, o.user) }

func FuzzDecodeMessage(f *testing.F) {
	f.Add(encodeV1Message(sampleMessage()))
	fuzzDecoder(f, decodeOwned, encodeOwned, EncodeMessage(sampleMessage(), "u-7"), EncodeMessage(core.Message{}, ""))
}

// encodeV1Message encodes m as schema 1 and 2 did: without a user.
func encodeV1Message(m core.Message) []byte {
	b := EncodeMessage(m, "")
	b[0] = V1
	return b[:len(b)-1] // drop the empty user string's length byte
}

func TestDecodeV1MessageHasNoUser(t *testing.T) {
	m, user, err := DecodeMessageUser(encodeV1Message(sampleMessage()))
	if err != nil || user != "" || !sameMessages([]core.Message{m}, []core.Message{sampleMessage()}) {
		t.Fatalf("v1 record decoded as %+v, user %q, %v", m, user, err)
	}
}

func FuzzDecodePending(f *testing.F) {
	fuzzDecoder(f, DecodePending, EncodePending, EncodePending(samplePending()), EncodePending(sampleAnswered()))
}

func FuzzDecodeUnanswered(f *testing.F) {
	fuzzDecoder(f, DecodeUnanswered, EncodeUnanswered, EncodeUnanswered(sampleUnanswered()))
}

func FuzzDecodeConvMeta(f *testing.F) {
	fuzzDecoder(f, DecodeConvMeta, EncodeConvMeta, EncodeConvMeta(sampleMeta()))
}

func FuzzDecodeExpiry(f *testing.F) {
	fuzzDecoder(f, DecodeExpiry, EncodeExpiry, EncodeExpiry(time.Unix(1_800_000_000, 999_999_999)))
}

func FuzzDecodeCursor(f *testing.F) {
	fuzzDecoder(f, DecodeCursor, EncodeCursor, EncodeCursor("815"), EncodeCursor(""))
}

func FuzzDecodeCount(f *testing.F) {
	fuzzDecoder(f, DecodeCount, EncodeCount, EncodeCount(0), EncodeCount(math.MaxUint64))
}

// usedVector is a vector record's contents, for fuzzDecoder.
type usedVector struct {
	v    []float32
	used time.Time
}

func FuzzDecodeVector(f *testing.F) {
	decode := func(b []byte) (usedVector, error) {
		v, used, err := DecodeVector(b)
		return usedVector{v, used}, err
	}
	encode := func(u usedVector) []byte { return EncodeVector(u.v, u.used) }
	v1 := []byte{V1, 2, 0, 0, 0x80, 0x3f, 0, 0, 0, 0}
	fuzzDecoder(f, decode, encode, EncodeVector([]float32{1, -2.5, float32(math.NaN())}, time.Unix(1_800_000_000, 5)), v1)
}
