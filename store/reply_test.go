package store

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"imbot/core"
	"imbot/store/storage"
)

func TestKeepAnswerOnThePendingRecord(t *testing.T) {
	s := openTest(t, testConfig(t))
	ctx := context.Background()
	env := envelope("c", 1)
	turn := turnFor(env, time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC))
	if err := s.KeepAnswer(ctx, turn, false); err != nil {
		t.Fatalf("KeepAnswer of an envelope not pending: %v", err)
	}
	if _, ok, err := s.KeptAnswer(ctx, env); ok || err != nil {
		t.Fatalf("KeptAnswer of an envelope not pending = %v, %v; want false, nil", ok, err)
	}
	mustAccept(t, s, env)
	if _, ok, err := s.KeptAnswer(ctx, env); ok || err != nil {
		t.Fatalf("KeptAnswer before KeepAnswer = %v, %v; want false, nil", ok, err)
	}
	for _, sent := range []bool{false, true} {
		if err := s.KeepAnswer(ctx, turn, sent); err != nil {
			t.Fatal(err)
		}
		kept, ok, err := s.KeptAnswer(ctx, env)
		want := core.KeptAnswer{Turn: turn, Sent: sent}
		if !ok || err != nil || !reflect.DeepEqual(kept, want) {
			t.Errorf("KeptAnswer = %+v, %v, %v; want %+v", kept, ok, err, want)
		}
	}
	pending, err := s.Pending(ctx)
	if err != nil || len(pending) != 1 || !sameEnvelope(pending[0], env) {
		t.Errorf("Pending after KeepAnswer = %+v, %v; want the envelope", pending, err)
	}
	if err := s.Complete(ctx, turn); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.KeptAnswer(ctx, env); ok || err != nil {
		t.Errorf("KeptAnswer after Complete = %v, %v; want false, nil", ok, err)
	}
}

func TestReplyRefBecomesBotMessagesOnCompletion(t *testing.T) {
	clock := newFakeClock()
	cfg := testConfig(t)
	s := openTest(t, cfg, WithClock(clock.Now))
	ctx := context.Background()
	for i, finish := range []struct {
		name string
		do   func(core.Envelope) error
	}{
		{"complete", func(env core.Envelope) error { return s.Complete(ctx, turnFor(env, clock.Now())) }},
		{"drop", func(env core.Envelope) error { return s.Drop(ctx, env) }},
	} {
		t.Run(finish.name, func(t *testing.T) {
			env := envelope("chat-"+finish.name, i)
			mustAccept(t, s, env)
			ref := core.ReplyRef{Card: "card-1", Messages: []core.MessageID{"om_1", "om_2"}}
			if err := s.SaveReplyRef(ctx, env, ref); err != nil {
				t.Fatal(err)
			}
			if got, ok, err := s.ReplyRef(ctx, env); !ok || err != nil || !reflect.DeepEqual(got, ref) {
				t.Fatalf("ReplyRef = %+v, %v, %v; want %+v", got, ok, err, ref)
			}
			if err := finish.do(env); err != nil {
				t.Fatal(err)
			}
			checkBotMessage(t, s, env.Platform, env.ChatID, "om_2", true)
			checkBotMessage(t, s, env.Platform, "other-chat", "om_2", false)
			checkBotMessage(t, s, env.Platform, env.ChatID, "om_3", false)
			if _, ok, err := s.ReplyRef(ctx, env); ok || err != nil {
				t.Errorf("ReplyRef after %s = %v, %v; want false, nil", finish.name, ok, err)
			}
		})
	}
}

func checkBotMessage(t *testing.T, s *Store, p core.Platform, chat core.ChatID, id core.MessageID, want bool) {
	t.Helper()
	if got, err := s.BotMessage(context.Background(), p, chat, id); got != want || err != nil {
		t.Errorf("BotMessage(%s, %s, %s) = %v, %v; want %v", p, chat, id, got, err, want)
	}
}

func TestBotMessagesExpireAndAreSwept(t *testing.T) {
	clock := newFakeClock()
	cfg := testConfig(t)
	s := openTest(t, cfg, WithClock(clock.Now))
	ctx := context.Background()
	if err := s.RememberBotMessages(ctx, "feishu", "oc_1", "om_1", "om_2"); err != nil {
		t.Fatal(err)
	}
	checkBotMessage(t, s, "feishu", "oc_1", "om_1", true)
	clock.Advance(cfg.BotMessageTTL)
	checkBotMessage(t, s, "feishu", "oc_1", "om_1", false)
	st, err := s.Sweep(ctx, clock.Now())
	if err != nil || st.BotMessages != 2 {
		t.Errorf("Sweep = %+v, %v; want 2 bot messages removed", st, err)
	}
}

func TestSaveReplyRefLimits(t *testing.T) {
	s := openTest(t, testConfig(t))
	env := envelope("c", 1)
	mustAccept(t, s, env)
	tooMany := core.ReplyRef{Messages: make([]core.MessageID, storage.MaxRefMessages+1)}
	for i := range tooMany.Messages {
		tooMany.Messages[i] = "om"
	}
	for _, tc := range []struct {
		ref  core.ReplyRef
		want string
	}{
		{tooMany, "65 reply messages"},
		{core.ReplyRef{Card: strings.Repeat("c", storage.MaxKeyLen+1)}, "card id is 1025 bytes"},
		{core.ReplyRef{Messages: []core.MessageID{""}}, "reply message id is empty"},
	} {
		if err := s.SaveReplyRef(context.Background(), env, tc.ref); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SaveReplyRef = %v, want an error with %q", err, tc.want)
		}
	}
}
