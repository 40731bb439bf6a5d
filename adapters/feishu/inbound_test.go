package feishu

import (
	"net/http"
	"testing"
	"time"

	"imbot/adapters/feishu/feishutest"
	"imbot/core"
	"imbot/core/catalog"
)

func TestInboundMessages(t *testing.T) {
	mentionBot := []feishutest.Mention{{Key: "@_user_1", OpenID: testBot, Name: "imbot"}}
	tests := []struct {
		name    string
		edit    func(*Config)
		event   func(e *feishutest.Event)
		want    *core.Envelope // nil: not delivered
		wantMsg bool           // a text-only notice is posted
	}{
		{name: "group mention is delivered, placeholder stripped",
			event: func(e *feishutest.Event) {},
			want: &core.Envelope{ChatKind: core.ChatGroup, Text: "what is the VPN address?", MentionsBot: true,
				Scope: core.ScopeChat}},
		{name: "group message without a mention is left to the dispatcher's trigger",
			event: func(e *feishutest.Event) {
				e.Mentions = nil
				e.Content = feishutest.TextContent("just chatting")
			},
			want: &core.Envelope{ChatKind: core.ChatGroup, Text: "just chatting"}},
		{name: "group message mentioning someone else is not flagged as mentioning the bot",
			event: func(e *feishutest.Event) {
				e.Mentions = []feishutest.Mention{{Key: "@_user_1", OpenID: "ou_bob", Name: "Bob"}}
			},
			want: &core.Envelope{ChatKind: core.ChatGroup, Text: "@Bob what is the VPN address?"}},
		{name: "a /command in a group is delivered",
			event: func(e *feishutest.Event) {
				e.Mentions = nil
				e.Content = feishutest.TextContent("/reset")
			},
			want: &core.Envelope{ChatKind: core.ChatGroup, Text: "/reset"}},
		{name: "direct message needs no mention",
			event: func(e *feishutest.Event) {
				e.ChatType, e.Mentions = "p2p", nil
				e.Content = feishutest.TextContent("hello")
			},
			want: &core.Envelope{ChatKind: core.ChatDirect, Text: "hello"}},
		{name: "the bot's own message is dropped",
			event: func(e *feishutest.Event) { e.SenderOpenID, e.SenderType = testBot, "app" }},
		{name: "a message older than the stale window is dropped",
			event: func(e *feishutest.Event) { e.Created = e.Created.Add(-31 * time.Minute) }},
		{name: "group_scope is left to the dispatcher",
			edit:  func(c *Config) { c.Scope = core.ScopeUser },
			event: func(e *feishutest.Event) {},
			want: &core.Envelope{ChatKind: core.ChatGroup, Text: "what is the VPN address?", MentionsBot: true,
				Scope: core.ScopeChat}},
		{name: "reply_in_thread keys the conversation by the thread root",
			edit:  func(c *Config) { c.ReplyInThread = true },
			event: func(e *feishutest.Event) { e.RootID, e.ThreadID = "om_root", "omt_1" },
			want: &core.Envelope{ChatKind: core.ChatGroup, Text: "what is the VPN address?", MentionsBot: true,
				ThreadID: "om_root"}},
		{name: "post content is flattened",
			event: func(e *feishutest.Event) {
				e.MsgType = "post"
				e.Content = `{"zh_cn":{"title":"VPN","content":[[{"tag":"at","user_id":"@_user_1","user_name":"imbot"},` +
					`{"tag":"text","text":" how do I "},{"tag":"a","text":"connect","href":"https://x"}],[{"tag":"text","text":"thanks"}]]}}`
			},
			want: &core.Envelope{ChatKind: core.ChatGroup, Text: "VPN\n how do I connect\nthanks", MentionsBot: true}},
		{name: "an image addressed to the bot gets a text-only notice",
			event: func(e *feishutest.Event) {
				e.MsgType, e.Content = "image", `{"image_key":"img_1"}`
			},
			wantMsg: true},
		{name: "an image in a group not addressed to the bot is ignored",
			event: func(e *feishutest.Event) {
				e.MsgType, e.Content, e.Mentions = "image", `{"image_key":"img_1"}`, nil
			}},
		{name: "mentions of the bot only, no text: nothing to answer",
			event: func(e *feishutest.Event) { e.Content = feishutest.TextContent("@_user_1 ") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.edit)
			h.serve()
			e := h.event("1", "what is the VPN address?")
			e.Mentions = mentionBot
			tc.event(&e)
			if got := h.post(e.JSON()); got != http.StatusOK {
				t.Fatalf("status %d, want 200", got)
			}
			if tc.wantMsg {
				h.waitFor("notice", func() bool { return len(h.fake.Messages()) == 1 })
				m := h.fake.Messages()[0]
				if m.ParentID != "om_1" || h.fake.Shown(m, "") != (*catalog.Catalog)(nil).Text(catalog.ZH, catalog.TextOnly) {
					t.Fatalf("notice %+v", m)
				}
			}
			if tc.want == nil {
				h.noDelivery()
				return
			}
			got := <-h.delivered
			want := *tc.want
			want.Platform, want.ChatID, want.UserID = Platform, "oc_group", testUser
			want.MessageID, want.EventID, want.Received = "om_1", "ev_1", h.clock.Now()
			if got != want {
				t.Fatalf("envelope\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestStripMentions(t *testing.T) {
	mentions := []mention{
		{Key: "@_user_1", ID: userID{OpenID: testBot}, Name: "imbot"},
		{Key: "@_user_10", ID: userID{OpenID: "ou_ten"}, Name: "Ten"},
		{Key: "@_user_2", ID: userID{OpenID: "ou_bob"}, Name: "Bob"},
	}
	tests := []struct{ in, want string }{
		{"@_user_1 hi", "hi"},
		{"ask @_user_10 and @_user_2", "ask @Ten and @Bob"},
		{"@_all please\nline two @_user_1", "@all please\nline two"},
		{"no mentions", "no mentions"},
	}
	for _, tc := range tests {
		if got := stripMentions(tc.in, mentions, testBot); got != tc.want {
			t.Errorf("stripMentions(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
