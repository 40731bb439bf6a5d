package record_test

import (
	"reflect"
	"testing"

	"imbot/core"
	"imbot/store/record"
	"imbot/store/storetest"
)

func TestPendingEdits(t *testing.T) {
	turn := core.Turn{Envelope: samplePending().Env, User: core.Message{Role: core.RoleUser, Text: "hi"},
		Reply: sampleMessage()}
	ref := core.ReplyRef{Card: "7355_card", Messages: []core.MessageID{"om_a"}}
	p := samplePending()
	if _, ok := p.KeptAnswer(); ok {
		t.Error("KeptAnswer of a record without an answer reports one")
	}
	if _, ok := p.ReplyRef(); ok {
		t.Error("ReplyRef of a record without ids reports one")
	}
	record.KeepAnswer(turn, true)(&p)
	record.SaveRef(ref)(&p)
	p, err := record.DecodePending(record.EncodePending(p))
	if err != nil {
		t.Fatal(err)
	}
	kept, ok := p.KeptAnswer()
	if !ok || !kept.Sent || !storetest.SameEnvelope(kept.Turn.Envelope, turn.Envelope) ||
		!storetest.SameMessages([]core.Message{kept.Turn.User, kept.Turn.Reply}, []core.Message{turn.User, turn.Reply}) {
		t.Errorf("KeptAnswer = %+v, %t; want %+v, sent", kept, ok, turn)
	}
	if got, ok := p.ReplyRef(); !ok || !reflect.DeepEqual(got, ref) {
		t.Errorf("ReplyRef = %+v, %t; want %+v", got, ok, ref)
	}
}
