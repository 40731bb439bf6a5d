package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"imbot/core"
)

func testHistoryNewestAndReset(t *testing.T, h *harness) {
	conv := Envelope("c1", 0).Conversation()
	if got := h.recent(t, conv, 10); len(got) != 0 {
		t.Fatalf("Recent of an unknown conversation = %+v", got)
	}
	var all []core.Message
	for n := 1; n <= 3; n++ {
		turn := h.complete(t, Envelope("c1", n))
		all = append(all, turn.User, turn.Reply)
		h.clock.Advance(time.Minute)
	}
	h.complete(t, Envelope("c2", 9)) // another conversation
	if got := h.recent(t, conv, 3); !SameMessages(got, all[3:]) {
		t.Errorf("Recent(3) = %+v, want the 3 newest oldest first %+v", got, all[3:])
	}
	if got := h.recent(t, conv, 100); !SameMessages(got, all) {
		t.Errorf("Recent(100) = %d messages, want all %d", len(got), len(all))
	}
	for _, limit := range []int{0, -1} {
		if got := h.recent(t, conv, limit); got != nil {
			t.Errorf("Recent(%d) = %+v, want none", limit, got)
		}
	}
	must(t, "Reset", h.s.Reset(h.ctx, conv))
	must(t, "Reset of an unknown conversation", h.s.Reset(h.ctx, Envelope("nobody", 0).Conversation()))
	if got := h.recent(t, conv, 10); len(got) != 0 {
		t.Errorf("Recent after Reset = %+v", got)
	}
	if got := h.recent(t, Envelope("c2", 0).Conversation(), 10); len(got) != 2 {
		t.Errorf("Reset touched another conversation: %d messages left, want 2", len(got))
	}
	turn := h.complete(t, Envelope("c1", 4))
	if got := h.recent(t, conv, 10); !SameMessages(got, []core.Message{turn.User, turn.Reply}) {
		t.Errorf("history after Reset and a new turn = %+v", got)
	}
}

// groupEnvelope is message n of user in group chat oc_g, kept per chat.
func groupEnvelope(user string, n int) core.Envelope {
	env := Envelope("oc_g", n)
	env.ChatKind, env.UserID, env.Platform = core.ChatGroup, core.UserID(user), "feishu"
	return env
}

func testForgetUser(t *testing.T, h *harness) {
	mine := h.complete(t, Envelope("ada", 1)).Envelope // a direct chat whose id is… not the user's
	direct := Envelope("u-ada", 2)                     // a direct chat with the user's id
	direct.UserID = "u-ada"
	h.complete(t, direct)
	h.complete(t, groupEnvelope("u-ada", 3))
	h.complete(t, groupEnvelope("u-bob", 4))
	alone := groupEnvelope("u-ada", 5)
	alone.ChatID = "oc_alone"
	h.complete(t, alone)
	h.accept(t, Envelope("ada", 6))
	must(t, "TouchChat", h.s.TouchChat(h.ctx, "telegram", "u-ada", "ada", "mine", h.clock.Now()))
	must(t, "AddUsage", h.s.AddUsage(h.ctx, "telegram:u-ada", "2026-03-14", 10))
	must(t, "AddUsage", h.s.AddUsage(h.ctx, "telegram:u-ada", "2026-03-13", 10))
	must(t, "AddUsage", h.s.AddUsage(h.ctx, "telegram:u-bob", "2026-03-14", 10))
	must(t, "AddUnanswered", h.s.AddUnanswered(h.ctx, core.UnansweredQuestion{Question: "q", Platform: "telegram",
		User: "u-ada", Conversation: mine.Conversation()}))
	must(t, "SetState", h.s.SetState(h.ctx, mine.Conversation(), core.ConversationState{Owner: "form", Name: "step"}))

	erased, err := h.s.ForgetUser(h.ctx, "telegram", "u-ada")
	must(t, "ForgetUser telegram", err)
	want := core.Erased{Conversations: 2, Unanswered: 1, Usage: 2, Pending: 1, Turns: 2, States: 1}
	if erased != want {
		t.Errorf("ForgetUser(telegram) = %+v, want %+v", erased, want)
	}
	erased, err = h.s.ForgetUser(h.ctx, "feishu", "u-ada")
	must(t, "ForgetUser feishu", err)
	want = core.Erased{Conversations: 1, Messages: 2, Turns: 2}
	if erased != want {
		t.Errorf("ForgetUser(feishu) = %+v, want %+v", erased, want)
	}
	group := h.recent(t, groupEnvelope("", 0).Conversation(), 10)
	if len(group) != 2 || group[0].Text != "question 4" {
		t.Errorf("the shared group kept %+v, want only bob's turn", group)
	}
	if n, _ := h.s.Usage(h.ctx, "telegram:u-bob", "2026-03-14"); n != 10 {
		t.Errorf("another user's usage = %d, want 10", n)
	}
	if list, _ := h.s.ChatSummaries(h.ctx, "telegram", "u-ada"); len(list) != 0 {
		t.Errorf("chat list after ForgetUser = %+v", list)
	}
	if _, err := h.s.ForgetUser(h.ctx, "", "u-ada"); err == nil {
		t.Error("ForgetUser without a platform succeeded")
	}
}

func testExport(t *testing.T, h *harness) {
	var want []string
	for _, chat := range []string{"b", "a", "c"} {
		h.complete(t, Envelope(chat, 1))
		h.complete(t, Envelope(chat, 2))
	}
	for _, chat := range []string{"a", "b", "c"} {
		want = append(want, fmt.Sprintf("%s:4", Envelope(chat, 0).Conversation().Label()))
	}
	var got []string
	err := h.s.Export(h.ctx, func(conv core.ConversationKey, msgs []core.Message) error {
		got = append(got, fmt.Sprintf("%s:%d", conv.Label(), len(msgs)))
		if msgs[0].Text != "question 1" || msgs[3].Text != "answer to question 2" {
			t.Errorf("%s exported out of order: %+v", conv.Label(), msgs)
		}
		return h.s.Reset(h.ctx, conv) // fn may use the store
	})
	must(t, "Export", err)
	if !slices.Equal(got, want) {
		t.Errorf("Export = %v, want %v", got, want)
	}
	stop := errors.New("stop")
	h.complete(t, Envelope("d", 1))
	if err := h.s.Export(h.ctx, func(core.ConversationKey, []core.Message) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("Export returned %v, want fn's error", err)
	}
}
