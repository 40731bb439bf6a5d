package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"imbot/core"
)

func testDedupMarksExpire(t *testing.T, h *harness) {
	env := Envelope("c1", 1)
	if seen, err := h.s.Seen(h.ctx, env); seen || err != nil {
		t.Fatalf("Seen before Accept = %v, %v; want false", seen, err)
	}
	h.accept(t, env)
	for _, dup := range []core.Envelope{env, withMessageID(env, "other-message")} { // same message; same event
		if ok, err := h.s.Accept(h.ctx, dup); ok || err != nil {
			t.Errorf("Accept of a duplicate (%s/%s) = %v, %v; want false", dup.MessageID, dup.EventID, ok, err)
		}
	}
	if seen, _ := h.s.Seen(h.ctx, env); !seen {
		t.Error("Seen after Accept = false")
	}
	must(t, "Complete", h.s.Complete(h.ctx, TurnFor(env, h.clock.Now())))
	h.clock.Advance(Retention().DedupTTL - time.Second)
	if ok, _ := h.s.Accept(h.ctx, env); ok {
		t.Error("Accept within dedup_ttl took a completed message again")
	}
	h.clock.Advance(time.Second)
	if seen, _ := h.s.Seen(h.ctx, env); seen {
		t.Error("Seen at expiry = true; a mark counts until its expiry only")
	}
	h.accept(t, env)
	// A pending message stays a duplicate however old its marks are.
	h.clock.Advance(2 * Retention().DedupTTL)
	if ok, _ := h.s.Accept(h.ctx, env); ok {
		t.Error("Accept took a message that is still pending")
	}
}

// withMessageID is env under another message id (the same event id).
func withMessageID(env core.Envelope, id core.MessageID) core.Envelope {
	env.MessageID = id
	return env
}

func testAcceptIsExclusive(t *testing.T, h *harness) {
	env := Envelope("c1", 1)
	const callers = 8
	var wg sync.WaitGroup
	wins := make(chan bool, callers)
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := h.s.Accept(h.ctx, env)
			if err != nil {
				t.Errorf("Accept: %v", err)
			}
			wins <- ok
		}()
	}
	wg.Wait()
	close(wins)
	n := 0
	for ok := range wins {
		if ok {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d of %d concurrent Accepts of one message won, want exactly 1", n, callers)
	}
	if got := h.pending(t); len(got) != 1 {
		t.Errorf("Pending = %v, want the message once", got)
	}
}

func testPendingOrderAndDrop(t *testing.T, h *harness) {
	if got := h.pending(t); len(got) != 0 {
		t.Fatalf("Pending of an empty store = %v", got)
	}
	envs := []core.Envelope{Envelope("c2", 3), Envelope("c1", 1), Envelope("c1", 2)}
	for _, e := range envs {
		h.accept(t, e)
	}
	if got := h.pending(t); !slices.Equal(got, []core.MessageID{"3", "1", "2"}) {
		t.Fatalf("Pending = %v, want acceptance order [3 1 2]", got)
	}
	all, _ := h.s.Pending(h.ctx)
	if !SameEnvelope(all[0], envs[0]) {
		t.Errorf("Pending returned %+v, want %+v", all[0], envs[0])
	}
	must(t, "Drop", h.s.Drop(h.ctx, envs[1]))
	must(t, "Drop of a message not pending", h.s.Drop(h.ctx, envs[1]))
	if got := h.pending(t); !slices.Equal(got, []core.MessageID{"3", "2"}) {
		t.Errorf("Pending after Drop = %v, want [3 2]", got)
	}
	if ok, _ := h.s.Accept(h.ctx, envs[1]); ok {
		t.Error("a dropped message was accepted again: its dedup marks must stay")
	}
}

func testCompleteIsAtomic(t *testing.T, h *harness) {
	first, follow, other := Envelope("c1", 1), Envelope("c1", 2), Envelope("c1", 3)
	for _, e := range []core.Envelope{first, follow, other} {
		h.accept(t, e)
	}
	turn := TurnFor(first, h.clock.Now())
	turn.Followups = []core.Followup{{Envelope: follow, User: core.Message{Role: core.RoleUser, Text: follow.Text, At: h.clock.Now()}}}
	must(t, "Complete", h.s.Complete(h.ctx, turn))
	want := []core.Message{turn.User, turn.Followups[0].User, turn.Reply}
	if got := h.recent(t, first.Conversation(), 10); !SameMessages(got, want) {
		t.Errorf("history = %+v, want %+v", got, want)
	}
	if got := h.pending(t); !slices.Equal(got, []core.MessageID{"3"}) {
		t.Errorf("Pending after Complete = %v, want only [3]", got)
	}
	if ok, _ := h.s.Accept(h.ctx, follow); ok {
		t.Error("a completed follow-up was accepted again")
	}
}

func testKeptAnswersAndReplyRefs(t *testing.T, h *harness) {
	env, idle := Envelope("c1", 1), Envelope("c1", 9)
	if _, ok, err := h.s.KeptAnswer(h.ctx, env); ok || err != nil {
		t.Fatalf("KeptAnswer of a message not pending = %v, %v", ok, err)
	}
	must(t, "KeepAnswer of a message not pending", h.s.KeepAnswer(h.ctx, TurnFor(idle, h.clock.Now()), true))
	must(t, "SaveReplyRef of a message not pending", h.s.SaveReplyRef(h.ctx, idle, core.ReplyRef{Card: "x"}))
	if _, ok, _ := h.s.ReplyRef(h.ctx, idle); ok {
		t.Error("a reply ref was saved for a message not pending")
	}
	h.accept(t, env)
	if _, ok, _ := h.s.ReplyRef(h.ctx, env); ok {
		t.Error("ReplyRef before SaveReplyRef = true")
	}
	ref := core.ReplyRef{Card: "card-1", Messages: []core.MessageID{"om_a", "om_b"}}
	must(t, "SaveReplyRef", h.s.SaveReplyRef(h.ctx, env, ref))
	turn := TurnFor(env, h.clock.Now())
	turn.Followups = []core.Followup{{Envelope: Envelope("c1", 2), User: core.Message{Role: core.RoleUser, Text: "and?"}}}
	must(t, "KeepAnswer", h.s.KeepAnswer(h.ctx, turn, true))
	kept, ok, err := h.s.KeptAnswer(h.ctx, env)
	if err != nil || !ok || !kept.Sent || !SameEnvelope(kept.Turn.Envelope, env) ||
		!SameMessages([]core.Message{kept.Turn.User, kept.Turn.Reply}, []core.Message{turn.User, turn.Reply}) ||
		len(kept.Turn.Followups) != 1 || kept.Turn.Followups[0].User.Text != "and?" {
		t.Errorf("KeptAnswer = %+v, %v, %v; want the kept turn, sent", kept, ok, err)
	}
	if got, ok, _ := h.s.ReplyRef(h.ctx, env); !ok || got.Card != ref.Card || !slices.Equal(got.Messages, ref.Messages) {
		t.Errorf("ReplyRef after KeepAnswer = %+v, %v; want %+v", got, ok, ref)
	}
	must(t, "Complete", h.s.Complete(h.ctx, turn))
	if _, ok, _ := h.s.KeptAnswer(h.ctx, env); ok {
		t.Error("a kept answer outlived its turn")
	}
	for _, id := range ref.Messages {
		if ok, err := h.s.BotMessage(h.ctx, env.Platform, env.ChatID, id); !ok || err != nil {
			t.Errorf("BotMessage(%s) after Complete = %v, %v; want the ref's messages remembered", id, ok, err)
		}
	}
}

func testReplyIndexExpires(t *testing.T, h *harness) {
	must(t, "RememberBotMessages", h.s.RememberBotMessages(h.ctx, "feishu", "oc_1", "om_1", "om_2", "om_1"))
	cases := []struct {
		chat core.ChatID
		id   core.MessageID
		want bool
	}{{"oc_1", "om_1", true}, {"oc_1", "om_2", true}, {"oc_2", "om_1", false}, {"oc_1", "om_3", false}}
	for _, c := range cases {
		if got, err := h.s.BotMessage(h.ctx, "feishu", c.chat, c.id); got != c.want || err != nil {
			t.Errorf("BotMessage(%s, %s) = %v, %v; want %v", c.chat, c.id, got, err, c.want)
		}
	}
	h.clock.Advance(Retention().BotMessageTTL)
	if got, _ := h.s.BotMessage(h.ctx, "feishu", "oc_1", "om_1"); got {
		t.Error("BotMessage after bot_message_ttl = true")
	}
	env := Envelope("c1", 1)
	h.accept(t, env)
	must(t, "SaveReplyRef", h.s.SaveReplyRef(h.ctx, env, core.ReplyRef{Messages: []core.MessageID{"om_9"}}))
	must(t, "Drop", h.s.Drop(h.ctx, env))
	if got, _ := h.s.BotMessage(h.ctx, env.Platform, env.ChatID, "om_9"); !got {
		t.Error("a dropped turn's reply messages were not remembered")
	}
}
