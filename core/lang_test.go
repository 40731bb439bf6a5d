package core

import (
	"context"
	"errors"
	"strings"
	"testing"

	"imbot/core/catalog"
)

// TestDispatcherPicksOneLanguagePerMessage walks the language rule: the
// message's own language, else the sender's last one, else the platform's
// language code, else the configured default.
func TestDispatcherPicksOneLanguagePerMessage(t *testing.T) {
	texts, err := catalog.New(catalog.Config{})
	if err != nil {
		t.Fatal(err)
	}
	h := startHarness(t, testConfig(), nil, WithCatalog(texts), WithPicker(catalog.NewPicker(catalog.EN)))
	steps := []struct {
		name string
		env  Envelope
		want catalog.Lang
	}{
		{"default", msg("a", "1", "/help"), catalog.EN},
		{"platform code", withHint(msg("b", "2", "/help"), "zh-hans"), catalog.ZH},
		{"message language", msg("c", "3", "你好，请问怎么重置密码？"), catalog.ZH},
		{"sender's last language beats the code", withHint(msg("c", "4", "/help"), "en-US"), catalog.ZH},
		{"message beats the last language", msg("c", "5", "how do I reset it?"), catalog.EN},
	}
	for _, st := range steps {
		h.send(st.env)
		s := h.next()
		if s.env.Lang != st.want {
			t.Fatalf("%s: turn language %q, want %q", st.name, s.env.Lang, st.want)
		}
		if strings.HasPrefix(st.env.Text, "/help") && !strings.HasPrefix(s.reply.Text, texts.Text(st.want, catalog.HelpIntro)) {
			t.Fatalf("%s: /help = %q, want it in %s", st.name, s.reply.Text, st.want)
		}
	}
}

func withHint(env Envelope, tag string) Envelope {
	env.LangHint = tag
	return env
}

// TestHelpListsEveryCommandInTheUsersLanguage checks /help's lines, and
// that a command's own texts and failure come from the catalogue.
func TestHelpListsEveryCommandInTheUsersLanguage(t *testing.T) {
	texts, err := catalog.New(catalog.Config{ZH: map[string]string{"help_reset": "重新开始对话"}})
	if err != nil {
		t.Fatal(err)
	}
	failing := Command{Name: "faq", Help: catalog.HelpFAQ, Run: func(context.Context, CommandRequest) (string, error) {
		return "", errors.New("disk full")
	}}
	h := startHarness(t, testConfig(), nil, WithCatalog(texts), WithCommands(failing))
	h.send(withHint(msg("a", "1", "/help"), "zh-CN"))
	want := strings.Join([]string{
		texts.Text(catalog.ZH, catalog.HelpIntro),
		texts.Text(catalog.ZH, catalog.HelpAsk),
		texts.Text(catalog.ZH, catalog.HelpFAQ),
		"/help — " + texts.Text(catalog.ZH, catalog.HelpHelp),
		"/reset — 重新开始对话",
	}, "\n")
	if got := h.next().reply.Text; got != want {
		t.Fatalf("/help =\n%s\nwant\n%s", got, want)
	}
	h.send(withHint(msg("b", "2", "/faq add x y"), "en"))
	if got, want := h.next().reply.Text, texts.Text(catalog.EN, catalog.CommandFailed, "command", "faq"); got != want {
		t.Fatalf("failed command = %q, want %q", got, want)
	}
	h.send(msg("b", "3", "/reset"))
	if got, want := h.next().reply.Text, texts.Text(catalog.EN, catalog.ResetDone); got != want {
		t.Fatalf("/reset = %q, want %q", got, want)
	}
	h.send(msg("b", "4", "/ask"))
	if got, want := h.next().reply.Text, texts.Text(catalog.EN, catalog.AskUsage); got != want {
		t.Fatalf("/ask alone = %q, want %q", got, want)
	}
}
