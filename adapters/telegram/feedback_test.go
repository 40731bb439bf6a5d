package telegram

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/go-telegram/bot/models"

	"imbot/adapters/telegram/telegramtest"
	"imbot/core"
	"imbot/core/catalog"
)

func TestFeedbackButtonsAndCallback(t *testing.T) {
	fake := newFake(t)
	var mu sync.Mutex
	var votes []core.Feedback
	record := func(_ context.Context, fb core.Feedback) error {
		mu.Lock()
		defer mu.Unlock()
		votes = append(votes, fb)
		return nil
	}
	a := newAdapter(t, testConfig(fake), &memCursors{}, WithFeedback(record))
	in := newInbox()
	start(t, a, in.deliver)
	user := telegramtest.User(42, "ada")
	fake.PushMessage(fake.NewMessage(telegramtest.PrivateChat(user), user, "how do refunds work?"))
	env := in.wait(t, 1)[0]
	w, err := a.Reply(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Finish(context.Background(), core.Reply{Text: "See the policy.", Route: core.RouteModel}); err != nil {
		t.Fatal(err)
	}
	sent := fake.Sent(42)
	var kb models.InlineKeyboardMarkup
	if len(sent) != 1 || json.Unmarshal([]byte(sent[0].Markup), &kb) != nil || len(kb.InlineKeyboard) != 1 || len(kb.InlineKeyboard[0]) != 2 {
		t.Fatalf("answer %+v has no 👍/👎 keyboard", sent)
	}
	down := kb.InlineKeyboard[0][1].CallbackData
	fake.Push(telegramtest.Callback("q1", user, fake.BotMessage(42, sent[0].ID), down))
	fake.Push(telegramtest.Callback("q2", user, fake.BotMessage(42, sent[0].ID), "not ours"))
	waitFake(t, fake, "two callback answers", func() bool { return len(fake.Calls("answerCallbackQuery")) == 2 })
	answers := fake.Calls("answerCallbackQuery")
	if got, want := answers[0].Params["text"], (*catalog.Catalog)(nil).Text(catalog.EN, catalog.FeedbackThanks); got != want {
		t.Errorf("thanks = %q, want %q", got, want)
	}
	if answers[1].Params["text"] != "" {
		t.Errorf("unknown button answered %q, want no text", answers[1].Params["text"])
	}
	mu.Lock()
	defer mu.Unlock()
	if len(votes) != 1 || votes[0].Vote != core.VoteDown || votes[0].Turn != env.MessageID || votes[0].Conversation != env.Conversation() {
		t.Errorf("votes = %+v, want one 👎 on %s in %v", votes, env.MessageID, env.Conversation())
	}
}

func FuzzParseFeedbackData(f *testing.F) {
	for _, s := range []string{"fb|u|12|42", "fb|d|12:e17|chat:-100", "fb|x|1|2", "fb||1|2", "fb|u|1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, turn, asker, ok := parseFeedbackData(s)
		if !ok {
			return
		}
		env := core.Envelope{MessageID: turn, UserID: asker}
		again, fits := feedbackData(env, v)
		if !fits || again != s {
			t.Errorf("parseFeedbackData(%q) = %v %q %q, which encodes as %q", s, v, turn, asker, again)
		}
	})
}
