package storetest

import (
	"strings"
	"testing"
	"time"

	"imbot/core"
	"imbot/store/storage"
)

func testSweepRetention(t *testing.T, h *harness) {
	ret := Retention()
	old := Envelope("old", 1)
	h.complete(t, old)
	must(t, "AddUnanswered", h.s.AddUnanswered(h.ctx, core.UnansweredQuestion{Question: "old", Platform: "telegram"}))
	must(t, "AddUsage", h.s.AddUsage(h.ctx, "k", h.clock.Now().Format(storage.DayLayout), 1))
	must(t, "RememberBotMessages", h.s.RememberBotMessages(h.ctx, "telegram", "old", "m1"))
	must(t, "PutVector stale", h.s.PutVector(h.ctx, "stale", []float32{1}))
	must(t, "PutVector kept", h.s.PutVector(h.ctx, "kept", []float32{1}))
	h.s.KeepVectors(func(key string) bool { return key == "kept" })

	h.clock.Advance(ret.Retention + 24*time.Hour)
	for n := 1; n <= 3; n++ { // six messages in a live conversation
		h.complete(t, Envelope("live", n))
	}
	must(t, "AddUsage today", h.s.AddUsage(h.ctx, "k", h.clock.Now().Format(storage.DayLayout), 1))
	st, err := h.s.Sweep(h.ctx, h.clock.Now())
	must(t, "Sweep", err)
	want := storage.SweepStats{DedupMarks: 2, Conversations: 1, Messages: 2, Unanswered: 1, Usage: 1, BotMessages: 1, Vectors: 1, Turns: 1}
	if st != want {
		t.Errorf("Sweep = %+v, want %+v", st, want)
	}
	live := h.recent(t, Envelope("live", 0).Conversation(), 100)
	if len(live) != ret.MaxMessages || live[0].Text != "question 2" {
		t.Errorf("live conversation kept %d messages from %q, want the newest %d", len(live), live[0].Text, ret.MaxMessages)
	}
	if got := h.recent(t, old.Conversation(), 10); len(got) != 0 {
		t.Errorf("an idle conversation survived the sweep: %+v", got)
	}
	if _, ok, _ := h.s.Vector(h.ctx, "kept"); !ok {
		t.Error("a vector the knowledge base uses was swept")
	}
	if ok, _ := h.s.Accept(h.ctx, old); !ok {
		t.Error("a message whose marks were swept was not accepted again")
	}
	if again, err := h.s.Sweep(h.ctx, h.clock.Now()); err != nil || again.Total() != 0 {
		t.Errorf("second Sweep = %+v, %v; want nothing left to remove", again, err)
	}
}

func testLimits(t *testing.T, h *harness) {
	long := strings.Repeat("k", storage.MaxKeyLen+1)
	env := Envelope("c1", 1)
	bad := []core.Envelope{withMessageID(env, ""), withMessageID(env, core.MessageID(long)), {MessageID: "1"}}
	for _, e := range bad {
		if _, err := h.s.Accept(h.ctx, e); err == nil {
			t.Errorf("Accept of a bad envelope (%d-byte id, platform %q) succeeded", len(e.MessageID), e.Platform)
		}
	}
	h.accept(t, env)
	refs := []core.ReplyRef{
		{Card: long},
		{Messages: make([]core.MessageID, storage.MaxRefMessages+1)},
		{Messages: []core.MessageID{""}},
	}
	for _, r := range refs {
		if err := h.s.SaveReplyRef(h.ctx, env, r); err == nil {
			t.Errorf("SaveReplyRef of a bad ref (%d messages) succeeded", len(r.Messages))
		}
	}
	if err := h.s.SetCursor(h.ctx, "c", strings.Repeat("9", storage.MaxCursorLen+1)); err == nil {
		t.Error("an overlong cursor was stored")
	}
	if err := h.s.SetCursor(h.ctx, "", "1"); err == nil {
		t.Error("a cursor without a name was stored")
	}
	if err := h.s.RememberBotMessages(h.ctx, "telegram", core.ChatID(long), "1"); err == nil {
		t.Error("an overlong bot message key was stored")
	}
	conv := core.ConversationKey{Platform: "telegram", Chat: core.ChatID(long)}
	if _, err := h.s.Recent(h.ctx, conv, 1); err == nil {
		t.Error("Recent of an overlong conversation key succeeded")
	}
	turn := TurnFor(env, h.clock.Now())
	turn.Followups = []core.Followup{{Envelope: withMessageID(env, "")}}
	if err := h.s.Complete(h.ctx, turn); err == nil {
		t.Error("Complete with a bad follow-up succeeded")
	}
	if got := h.pending(t); len(got) != 1 {
		t.Errorf("a refused Complete changed the pending list: %v", got)
	}
	text := "NUL \x00 and invalid UTF-8 \xff kept as they are"
	turn = TurnFor(env, h.clock.Now())
	turn.User.Text = text
	must(t, "Complete with odd bytes", h.s.Complete(h.ctx, turn))
	if got := h.recent(t, env.Conversation(), 2); len(got) != 2 || got[0].Text != text {
		t.Errorf("history = %+v, want the text %q byte for byte", got, text)
	}
}
