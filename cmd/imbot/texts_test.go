package main

import (
	"strings"
	"testing"

	"imbot/core/catalog"
)

func TestBuildTextsKeepsOldKeysOnlyWhenSet(t *testing.T) {
	cfg := defaultConfig(noEnv)
	texts, picker, err := buildTexts(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if zh, en := texts.Text(catalog.ZH, catalog.Busy), texts.Text(catalog.EN, catalog.Busy); zh == en {
		t.Fatalf("defaults give one busy text for both languages: %q", zh)
	}
	if got := picker.Pick("web:u", "", ""); got != catalog.ZH {
		t.Fatalf("default language %q, want zh", got)
	}
	cfg.Dispatcher.BusyReply = "Full, come back later."
	cfg.Adapters.Telegram.TextOnlyReply = "Text please."
	cfg.Texts.ZH = map[string]string{"busy": "满了"}
	cfg.Texts.Language = "en"
	texts, picker, err = buildTexts(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang catalog.Lang
		id   catalog.ID
		want string
	}{
		{catalog.EN, catalog.Busy, "Full, come back later."},
		{catalog.ZH, catalog.Busy, "满了"},
		{catalog.ZH, catalog.TextOnly, "Text please."},
	} {
		if got := texts.Text(c.lang, c.id); got != c.want {
			t.Errorf("%s %s = %q, want %q", c.lang, c.id, got, c.want)
		}
	}
	if got := picker.Pick("web:u", "", ""); got != catalog.EN {
		t.Fatalf("language = en: picked %q", got)
	}
}

func TestTextsValidateNamesTheKey(t *testing.T) {
	cfg := defaultConfig(noEnv)
	cfg.Texts = TextsSection{Language: "fr", Config: catalog.Config{EN: map[string]string{"no_such_id": "x"}}}
	got := strings.Join(cfg.validate(), "\n")
	for _, key := range []string{"texts.language:", "texts.en.no_such_id:"} {
		if !strings.Contains(got, key) {
			t.Errorf("problems %q miss %s", got, key)
		}
	}
}
