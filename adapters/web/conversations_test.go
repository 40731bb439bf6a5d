package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"imbot/core"
	"imbot/core/catalog"
)

// listFrame is a conversations or suggestions frame, decoded for assertions.
type listFrame struct {
	Type      string             `json:"type"`
	Items     []conversationItem `json:"items"`
	Questions []string           `json:"questions"`
	ReplyTo   string             `json:"reply_to"`
	Text      string             `json:"text"`
	Stopped   bool               `json:"stopped"`
	Code      string             `json:"code"`
}

func readList(t *testing.T, c *websocket.Conn, typ string) listFrame {
	t.Helper()
	_, data, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var f listFrame
	if err := json.Unmarshal(data, &f); err != nil || f.Type != typ {
		t.Fatalf("frame %s (%v), want type %q", data, err, typ)
	}
	return f
}

func TestConversationFrames(t *testing.T) {
	chats := &memChatList{}
	e := newTestEnv(t, testConfig(), true, WithChatList(chats),
		WithSuggestions(func(l catalog.Lang) []string { return []string{string(l) + " 1", string(l) + " 2"} }))
	c := e.dial(t, url.Values{"user": {"u1"}, "lang": {"zh"}}, nil)
	session := expect(t, c, "ready").Session
	if f := readList(t, c, "conversations"); len(f.Items) != 0 {
		t.Fatalf("new user's list %+v, want empty", f.Items)
	}
	if f := readList(t, c, "suggestions"); !slices.Equal(f.Questions, []string{"zh 1", "zh 2"}) {
		t.Fatalf("suggestions %q, want the Chinese ones", f.Questions)
	}
	send(t, c, message("m1", "What is imbot?\nSecond line"))
	env := e.d.next(t)
	if env.UserID != "u1" || env.ChatID != core.ChatID(session) {
		t.Fatalf("envelope user %q chat %q, want u1 and the session", env.UserID, env.ChatID)
	}
	e.d.answer(t, env, core.Reply{Text: "a bot", Route: core.RouteFAQ})
	expect(t, c, "done")
	if err := e.history.Complete(context.Background(), core.Turn{Envelope: env, User: core.Message{Role: core.RoleUser, Text: env.Text}}); err != nil {
		t.Fatal(err)
	}

	send(t, c, map[string]string{"type": "conversations"})
	if f := readList(t, c, "conversations"); len(f.Items) != 1 || f.Items[0].Session != session || f.Items[0].Title != "What is imbot?" {
		t.Fatalf("list %+v, want the session titled by its first line", f.Items)
	}
	send(t, c, map[string]string{"type": "rename", "session": session, "title": "  Mine  "})
	if f := readList(t, c, "conversations"); f.Items[0].Title != "Mine" {
		t.Fatalf("after rename %+v, want title Mine", f.Items)
	}
	for _, bad := range []map[string]string{
		{"type": "rename", "session": "someone-elses", "title": "x"},
		{"type": "rename", "session": session, "title": "   "},
		{"type": "delete", "session": "someone-elses"},
	} {
		send(t, c, bad)
		if f := readList(t, c, "error"); f.Code != codeBadRequest {
			t.Errorf("%v: error code %q, want bad_request", bad, f.Code)
		}
	}
	send(t, c, map[string]string{"type": "delete", "session": session})
	if f := readList(t, c, "conversations"); len(f.Items) != 0 {
		t.Fatalf("after delete %+v, want empty", f.Items)
	}
	conv := e.a.envelope(core.ChatID(session), "", "", peer{}).Conversation()
	if msgs, _ := e.history.Recent(context.Background(), conv, 10); len(msgs) != 0 {
		t.Fatalf("deleted conversation still has %d messages", len(msgs))
	}
}

func TestConversationFramesNeedUserAndList(t *testing.T) {
	e := newTestEnv(t, testConfig(), true)
	c := e.dial(t, nil, nil)
	expect(t, c, "ready")
	send(t, c, map[string]string{"type": "conversations"})
	if f := readList(t, c, "error"); f.Code != codeBadRequest {
		t.Fatalf("code %q, want bad_request", f.Code)
	}
	if status, _ := e.dialStatus(t, url.Values{"user": {"not valid!"}}, nil); status != http.StatusBadRequest {
		t.Fatalf("bad user id: status %d, want 400", status)
	}
}

func TestStopFrame(t *testing.T) {
	e := newTestEnv(t, testConfig(), true)
	c := e.dial(t, nil, nil)
	other := e.dial(t, url.Values{"session": {expect(t, c, "ready").Session}}, nil)
	expect(t, other, "ready")
	send(t, c, message("m1", "long story"))
	env := e.d.next(t)
	w, err := e.a.Reply(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	answerCtx, release := w.(core.Stoppable).StopContext(ctx)
	defer release()
	_ = w.Update(ctx, "Once")
	if f := expect(t, c, "delta"); f.Text != "Once" {
		t.Fatalf("delta %q", f.Text)
	}
	send(t, c, map[string]string{"type": "stop", "id": "m1"})
	for _, conn := range []*websocket.Conn{c, other} {
		if conn == other {
			expect(t, conn, "delta")
		}
		if f := readList(t, conn, "stopped"); f.ReplyTo != "m1" {
			t.Fatalf("stopped frame for %q, want m1", f.ReplyTo)
		}
	}
	select {
	case <-answerCtx.Done():
		if !errors.Is(context.Cause(answerCtx), core.ErrStopped) {
			t.Fatalf("answer ended with %v, want core.ErrStopped", context.Cause(answerCtx))
		}
	case <-time.After(waitTimeout):
		t.Fatal("stop did not cancel the answer")
	}
	_ = w.Update(ctx, "Once upon a time")
	_ = w.Finish(ctx, core.Reply{Text: "Once upon a time", Route: core.RouteModel})
	for _, conn := range []*websocket.Conn{c, other} {
		if f := readList(t, conn, "done"); !f.Stopped || f.Text != "Once upon a time" {
			t.Fatalf("done %+v, want the whole text marked stopped (and no delta after stop)", f)
		}
	}
	if e.a.hub.stops.stopped(waitKey{session: env.ChatID, id: env.MessageID}) {
		t.Error("the stop mark outlived its reply")
	}
	send(t, c, map[string]string{"type": "stop", "id": "has space"})
	if f := readList(t, c, "error"); f.Code != codeBadRequest {
		t.Fatalf("stop with a bad id: code %q", f.Code)
	}
}

func TestTitleOf(t *testing.T) {
	long := strings.Repeat("字", 80)
	for in, want := range map[string]string{
		"  hello  ":          "hello",
		"first line\nsecond": "first line",
		long:                 strings.Repeat("字", maxTitleRunes-1) + "…",
	} {
		if got := titleOf(in); got != want {
			t.Errorf("titleOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTexts(t *testing.T) {
	e := newTestEnv(t, testConfig(), false)
	for _, tc := range []struct {
		query, acceptLanguage string
		want                  catalog.Lang
	}{
		{"?lang=zh", "", catalog.ZH},
		{"?lang=en", "zh-CN", catalog.EN},
		{"", "fr-FR, zh-CN;q=0.8", catalog.ZH},
		{"", "", catalog.EN},
	} {
		resp, body := getPage(t, e, "/i18n.json"+tc.query, http.Header{"Accept-Language": {tc.acceptLanguage}})
		var got textsBody
		if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /i18n.json%s: %d %v", tc.query, resp.StatusCode, err)
		}
		if got.Lang != tc.want || got.Texts["web_send"] != (*catalog.Catalog)(nil).Text(tc.want, "web_send") {
			t.Errorf("%q %q: lang %q, send %q; want %q", tc.query, tc.acceptLanguage, got.Lang, got.Texts["web_send"], tc.want)
		}
		if len(got.Texts) != len(catalog.PageIDs()) {
			t.Errorf("%d texts, want every page id (%d)", len(got.Texts), len(catalog.PageIDs()))
		}
	}
}

// TestPageTextIDsAreInTheCatalogue checks that every text id the page uses
// has a text in both languages.
func TestPageTextIDsAreInTheCatalogue(t *testing.T) {
	ids := map[string]bool{}
	for _, name := range []string{"index.html", "app.js", "md.js"} {
		b, err := static.ReadFile("static/" + name)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range regexp.MustCompile(`\bweb_[a-z_]+\b`).FindAllString(string(b), -1) {
			ids[id] = true
		}
	}
	if len(ids) < 20 {
		t.Fatalf("found only %d text ids in the page; is the pattern right?", len(ids))
	}
	known := map[catalog.ID]bool{}
	for _, id := range catalog.PageIDs() {
		known[id] = true
	}
	var nilCatalog *catalog.Catalog
	for id := range ids {
		if !known[catalog.ID(id)] {
			t.Errorf("page uses %s, which the catalogue lacks", id)
			continue
		}
		zh, en := nilCatalog.Text(catalog.ZH, catalog.ID(id)), nilCatalog.Text(catalog.EN, catalog.ID(id))
		if zh == id || en == id || zh == en {
			t.Errorf("%s: zh %q, en %q; want a text in each language", id, zh, en)
		}
	}
}
