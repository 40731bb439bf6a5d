package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"imbot/core/catalog"
)

// TestErrorsInTheBrowsersLanguage: an error a user reads is written in the
// language of Accept-Language, else the default; and a message carries the
// browser's language to the dispatcher as its hint.
func TestErrorsInTheBrowsersLanguage(t *testing.T) {
	cfg := testConfig()
	cfg.Tokens = []string{"first-token-0123456789"}
	texts, err := catalog.New(catalog.Config{})
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEnv(t, cfg, true, WithTexts(texts, catalog.NewPicker(catalog.EN)))
	for _, tt := range []struct{ accept, want string }{
		{"zh-CN,zh;q=0.9,en;q=0.8", texts.Text(catalog.ZH, catalog.WebTokenRequired)},
		{"en-US,en;q=0.9", texts.Text(catalog.EN, catalog.WebTokenRequired)},
		{"", texts.Text(catalog.EN, catalog.WebTokenRequired)},
	} {
		req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/api/chat", strings.NewReader(`{"text":"hi"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept-Language", tt.accept)
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body errorBody
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusUnauthorized || body.Error.Message != tt.want {
			t.Fatalf("Accept-Language %q: %d %+v (%v), want 401 %q", tt.accept, resp.StatusCode, body, err, tt.want)
		}
	}
	if env := e.a.envelope("s", "m", "hi", peer{hint: "zh-TW"}); env.LangHint != "zh-TW" {
		t.Fatalf("envelope hint %q", env.LangHint)
	}
}
