package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"imbot/adapters/telegram/telegramtest"
	"imbot/provider/openai/openaitest"
)

func TestTelegramSeesOnlyMaskedAnswers(t *testing.T) {
	fake := telegramtest.New()
	defer fake.Close()
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Answer("you could try an onl", "ine cas", "ino or 赌", "博 instead")))
	dir := t.TempDir()
	path := writeConfig(t, dir, testSetup{model: model.URL(), extra: "coalesce = false # two messages, two answers\n" + withWords(t, dir) +
		"[adapters.web]\nenabled = false\n[adapters.telegram]\nenabled = true\ntoken_env = \"TG_TOKEN\"\napi_url = " + quote(fake.URL) + "\n"})
	startLogged(t, path, map[string]string{"TG_TOKEN": telegramtest.Token})

	ann := telegramtest.User(42, "Ann")
	fake.PushMessage(fake.NewMessage(telegramtest.PrivateChat(ann), ann, "any ideas for the weekend?"))
	fake.PushMessage(fake.NewMessage(telegramtest.PrivateChat(ann), ann, "is 赌博 fun?"))
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := fake.Wait(ctx, func() bool { return len(fake.Sent(42)) == 2 }); err != nil {
		t.Fatalf("waiting for two answers: %v", err)
	}
	sent := fake.Sent(42)
	if sent[0].Plain != "you could try an *** or *** instead" || sent[1].Plain != "抱歉，我无法回应这条消息。" {
		t.Fatalf("sent %q and %q", sent[0].Plain, sent[1].Plain)
	}
	for _, c := range fake.Calls("") {
		for _, v := range c.Params {
			if strings.Contains(strings.ToLower(v), "casino") || strings.Contains(v, "赌") {
				t.Fatalf("%s carried a sensitive word: %q", c.Method, v)
			}
		}
	}
	if n := model.Calls(); n != 1 {
		t.Fatalf("the model was called %d times, want once (the refused question never reaches it)", n)
	}
}
