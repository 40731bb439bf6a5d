package telegram

import (
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"imbot/adapters/telegram/telegramtest"
	"imbot/core/catalog"
)

func TestPollingDeliversInOrderAndSavesOffset(t *testing.T) {
	fake := newFake(t)
	cursors := &memCursors{}
	a := newAdapter(t, testConfig(fake), cursors)
	in := newInbox()
	ann := telegramtest.User(42, "Ann")
	dm := telegramtest.PrivateChat(ann)
	for _, text := range []string{"one", "two", "three"} {
		fake.PushMessage(fake.NewMessage(dm, ann, text))
	}
	sticker := fake.NewMessage(dm, ann, "")
	sticker.Sticker = &stickerModel
	sticker.From.LanguageCode = "en-GB" // no text to tell: the user's client language picks the notice's
	last := fake.PushMessage(sticker)
	in.failNext("1", 2) // the first message fails twice: nothing after it may overtake it

	stop := start(t, a, in.deliver)
	envs := in.wait(t, 3)
	for i, want := range []string{"one", "two", "three"} {
		if envs[i].Text != want {
			t.Errorf("delivery %d: %q, want %q", i, envs[i].Text, want)
		}
	}
	waitFake(t, fake, "text-only notice", func() bool { return len(fake.Sent(ann.ID)) == 1 })
	if got := fake.Sent(ann.ID)[0].Plain; got != (*catalog.Catalog)(nil).Text(catalog.EN, catalog.TextOnly) {
		t.Errorf("notice %q", got)
	}
	waitFake(t, fake, "updates confirmed", func() bool { return fake.Unconfirmed() == 0 })
	stop() // the offset is saved in the background; Run returns once it is
	if got, _ := cursors.Cursor(t.Context(), offsetCursor); got != itoa(last) {
		t.Errorf("saved offset %q, want %d", got, last)
	}
	if cmds := fake.Commands(); len(cmds) != 3 || cmds[0].Command != "ask" {
		t.Errorf("command menu %+v", cmds)
	}
	if len(fake.Calls("deleteWebhook")) != 1 {
		t.Error("polling did not remove a webhook first")
	}
}

// TestPollingPassesUpdatesItCannotRead checks that an update of a kind the
// library's models do not know (Telegram adds kinds over time) neither
// stalls polling nor holds back the messages after it.
func TestPollingPassesUpdatesItCannotRead(t *testing.T) {
	fake := newFake(t)
	cursors := &memCursors{}
	a := newAdapter(t, testConfig(fake), cursors)
	ann := telegramtest.User(42, "Ann")
	fake.PushRaw(1, []byte(`{"update_id":1,"brand_new_kind":{"id":"x","payload":[1,2,3]}}`))
	fake.PushRaw(2, []byte(`{"update_id":2,"message":"not an object"}`))
	msg := fake.NewMessage(telegramtest.PrivateChat(ann), ann, "after them")
	msg.Chat.ID = ann.ID
	last := fake.Push(models.Update{ID: 3, Message: msg})
	in := newInbox()
	stop := start(t, a, in.deliver)
	if envs := in.wait(t, 1); envs[0].Text != "after them" {
		t.Fatalf("delivered %+v", envs[0])
	}
	waitFake(t, fake, "updates confirmed", func() bool { return fake.Unconfirmed() == 0 })
	stop()
	if got, _ := cursors.Cursor(t.Context(), offsetCursor); got != itoa(last) {
		t.Errorf("saved offset %q, want %d", got, last)
	}
}

func TestPollingKeepsOffsetUntilDelivered(t *testing.T) {
	fake := newFake(t)
	cursors := &memCursors{}
	a := newAdapter(t, testConfig(fake), cursors)
	ann := telegramtest.User(42, "Ann")
	fake.PushMessage(fake.NewMessage(telegramtest.PrivateChat(ann), ann, "hello"))
	in := newInbox()
	in.failNext("1", 1<<30) // the dispatcher never accepts it
	stop := start(t, a, in.deliver)
	waitFake(t, fake, "a few polls", func() bool { return len(fake.Calls("getUpdates")) >= 1 })
	stop()
	if got, _ := cursors.Cursor(t.Context(), offsetCursor); got != "" {
		t.Errorf("offset saved as %q for an update never delivered", got)
	}
	if fake.Unconfirmed() != 1 {
		t.Errorf("%d unconfirmed updates, want 1", fake.Unconfirmed())
	}
}

func TestPollingResumesAfterSavedOffset(t *testing.T) {
	fake := newFake(t)
	ann := telegramtest.User(42, "Ann")
	dm := telegramtest.PrivateChat(ann)
	old := fake.PushMessage(fake.NewMessage(dm, ann, "already handled"))
	fake.PushMessage(fake.NewMessage(dm, ann, "new"))
	cursors := &memCursors{m: map[string]string{offsetCursor: itoa(old)}}
	in := newInbox()
	start(t, newAdapter(t, testConfig(fake), cursors), in.deliver)
	if envs := in.wait(t, 1); envs[0].Text != "new" {
		t.Fatalf("delivered %q, want only the update after the saved offset", envs[0].Text)
	}
	if got := fake.Calls("getUpdates")[0].Params["offset"]; got != itoa(old+1) {
		t.Errorf("first getUpdates offset %s, want %d", got, old+1)
	}
}

func TestPollingHonoursRetryAfter(t *testing.T) {
	fake := newFake(t)
	fake.Fail("getUpdates", telegramtest.TooManyRequests(1))
	ann := telegramtest.User(42, "Ann")
	fake.PushMessage(fake.NewMessage(telegramtest.PrivateChat(ann), ann, "hi"))
	in := newInbox()
	start(t, newAdapter(t, testConfig(fake), &memCursors{}), in.deliver)
	in.wait(t, 1)
	calls := fake.Calls("getUpdates")
	if calls[0].Code != 429 {
		t.Fatalf("first getUpdates answered %d, want the injected 429", calls[0].Code)
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < time.Second {
		t.Errorf("polled again after %v, want at least retry_after = 1s", gap)
	}
}

func TestPollingStopsOnRevokedToken(t *testing.T) {
	fake := newFake(t)
	cfg := testConfig(fake)
	cfg.Token = "999:revoked"
	a := newAdapter(t, cfg, &memCursors{})
	err := a.Run(t.Context(), newInbox().deliver)
	if err == nil {
		t.Fatal("Run returned nil for a token Telegram refuses")
	}
	if strings.Contains(err.Error(), cfg.Token) {
		t.Errorf("error shows the token: %v", err)
	}
}

// TestReadyWhileFirstLongPollWaits: a quiet bot is ready as soon as its
// first long poll is sent, not only when that poll returns.
func TestReadyWhileFirstLongPollWaits(t *testing.T) {
	fake := newFake(t)
	cfg := testConfig(fake)
	cfg.PollTimeout = time.Minute
	fake.Fail("getUpdates", telegramtest.Hang()) // a poll that waits its full timeout
	a := newAdapter(t, cfg, &memCursors{})
	start(t, a, newInbox().deliver)
	waitFake(t, fake, "the first getUpdates", func() bool { return len(fake.Calls("getUpdates")) > 0 })
	if err := a.Check(t.Context()); err != nil {
		t.Fatalf("Check while the first long poll waits = %v, want nil", err)
	}
}
