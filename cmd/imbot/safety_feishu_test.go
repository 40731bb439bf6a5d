package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"imbot/adapters/feishu/feishutest"
	"imbot/provider/openai/openaitest"
)

func TestFeishuSeesOnlyMaskedAnswers(t *testing.T) {
	fake := feishutest.New(t, "cli_test", "app-secret-0123", "ou_bot")
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Answer("you could try an onl", "ine cas", "ino or 赌", "博 instead")))
	dir := t.TempDir()
	path := writeConfig(t, dir, testSetup{model: model.URL(), extra: withWords(t, dir) +
		"[adapters.web]\nenabled = false\n[adapters.feishu]\nenabled = true\nmode = \"websocket\"\napp_id = \"cli_test\"\n" +
		"app_secret_env = \"FS_SECRET\"\nbase_url = " + quote(fake.URL) + "\n"})
	startLogged(t, path, map[string]string{"FS_SECRET": "app-secret-0123"})

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	eventually(ctx, t, "the long connection", fake.Connected)
	for i, text := range []string{"any ideas for the weekend?", "is 赌博 fun?"} {
		e := feishutest.Event{EventID: "ev_" + string(rune('a'+i)), MessageID: "om_" + string(rune('a'+i)), ChatID: "oc_dm",
			ChatType: "p2p", MsgType: "text", Content: feishutest.TextContent(text), SenderOpenID: "ou_alice", Created: time.Now()}
		if code, err := fake.PushEvent(ctx, e.JSON()); err != nil || code != http.StatusOK {
			t.Fatalf("push: %d %v", code, err)
		}
	}
	shown := func() []string {
		var out []string
		for _, m := range fake.Messages() {
			if s := fake.Shown(m, "answer"); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	eventually(ctx, t, "two answers", func() bool {
		got := shown()
		return len(got) == 2 && strings.Contains(strings.Join(got, "\n"), "instead")
	})
	// The card is Markdown: the mask comes out escaped.
	got := strings.ReplaceAll(strings.Join(shown(), "\n"), `\`, "")
	if !strings.Contains(got, "you could try an *** or *** instead") || !strings.Contains(got, "抱歉，我无法回应这条消息。") {
		t.Fatalf("Feishu shows:\n%s", got)
	}
	for _, m := range fake.Messages() {
		for _, c := range append([]string{m.Content}, m.Patches...) {
			if strings.Contains(strings.ToLower(c), "casino") || strings.Contains(c, "赌") {
				t.Fatalf("Feishu received a sensitive word: %q", c)
			}
		}
	}
}

// eventually polls cond on a ticker until it holds or ctx ends.
func eventually(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-tick.C:
		}
	}
}
