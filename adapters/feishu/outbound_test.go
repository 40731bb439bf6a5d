package feishu

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"imbot/adapters/feishu/feishutest"
	"imbot/core"
)

func (h *harness) env(id string) core.Envelope {
	return core.Envelope{Platform: Platform, ChatID: "oc_group", ChatKind: core.ChatGroup, UserID: testUser,
		MessageID: core.MessageID("om_" + id), EventID: "ev_" + id, Text: "q", MentionsBot: true, Received: h.clock.Now()}
}

// stream writes updates (advancing the clock by step before each) and
// finishes with reply.
func (h *harness) stream(env core.Envelope, step time.Duration, updates []string, reply core.Reply) {
	h.t.Helper()
	ctx := context.Background()
	w, err := h.a.Reply(ctx, env)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, u := range updates {
		h.clock.Advance(step)
		if err := w.Update(ctx, u); err != nil {
			h.t.Fatalf("Update: %v", err)
		}
	}
	if err := w.Finish(ctx, reply); err != nil {
		h.t.Fatalf("Finish: %v", err)
	}
}

// only returns the single message posted, failing otherwise.
func (h *harness) only() feishutest.Message {
	h.t.Helper()
	ms := h.fake.Messages()
	if len(ms) != 1 {
		h.t.Fatalf("%d messages posted, want 1: %+v", len(ms), ms)
	}
	return ms[0]
}

func modelReply(text string) core.Reply {
	return core.Reply{Text: text, Route: core.RouteModel, Provider: "local", Model: "qwen2.5-7b"}
}

func TestReplyStreamsIntoCardKitCard(t *testing.T) {
	h := newHarness(t, nil)
	h.stream(h.env("1"), 300*time.Millisecond, []string{"The VPN", "The VPN address is", "The VPN address is vpn.example.com"},
		modelReply("The VPN address is vpn.example.com."))
	m := h.only()
	if m.ParentID != "om_1" || m.MsgType != "interactive" || m.UUID != replyUUID("om_1", "reply", 0) {
		t.Fatalf("message %+v", m)
	}
	c, ok := h.fake.Card(m.ID)
	if !ok {
		t.Fatalf("message %s shows no CardKit card: %s", m.ID, m.Content)
	}
	if got := c.Elements[answerElement]; got != "The VPN address is vpn.example.com." {
		t.Errorf("final answer %q", got)
	}
	if got := c.Elements[routeElement]; !strings.Contains(got, "qwen2.5-7b") {
		t.Errorf("route footer %q", got)
	}
	if c.Streaming {
		t.Error("streaming mode left on")
	}
	// Open with the first text, two content updates, then the final text,
	// the footer and the settings call: sequences checked by the fake.
	if got := h.fake.Count(feishutest.OpCardContent); got != 4 {
		t.Errorf("%d content updates, want 4", got)
	}
}

func TestReplyThrottlesUpdates(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.ShowRoute = false })
	var updates []string
	for i := 1; i <= 40; i++ {
		updates = append(updates, strings.Repeat("x", i))
	}
	// 40 updates 50 ms apart: 2 s of streaming at update_interval 250 ms.
	h.stream(h.env("1"), 50*time.Millisecond, updates, core.Reply{Text: strings.Repeat("x", 41), Route: core.RouteFAQ})
	m := h.only()
	c, _ := h.fake.Card(m.ID)
	if c.Elements[answerElement] != strings.Repeat("x", 41) {
		t.Fatalf("final answer %q", c.Elements[answerElement])
	}
	if _, has := c.Elements[routeElement]; has {
		t.Error("route footer shown with show_route = false")
	}
	// 2 s at ≤ 4 per second, plus the final text.
	if got := h.fake.Count(feishutest.OpCardContent); got > 9 {
		t.Errorf("%d content updates in 2 s, want at most 9", got)
	}
}

func TestReplyFallsBackWhenCardKitIsRefused(t *testing.T) {
	h := newHarness(t, nil)
	h.fake.Fail(feishutest.OpCardCreate, feishutest.CodeNoPermission, 1)
	h.stream(h.env("1"), 300*time.Millisecond, []string{"Hello", "Hello there"}, core.Reply{Text: "Hello there!", Route: core.RouteFAQ})
	m := h.only()
	if _, isCardKit := h.fake.Card(m.ID); isCardKit || m.MsgType != "interactive" {
		t.Fatalf("want a PATCHed card, got %+v", m)
	}
	if len(m.Patches) != 2 {
		t.Errorf("%d patches, want 2 (one update, the final)", len(m.Patches))
	}
	if got := h.fake.Shown(m, answerElement); got != "Hello there!" {
		t.Errorf("final answer %q", got)
	}
	if got := h.fake.Shown(m, routeElement); !strings.Contains(got, "FAQ") {
		t.Errorf("route footer %q", got)
	}
	// The refusal is remembered: the next reply does not try CardKit again.
	h.stream(h.env("2"), 0, nil, core.Reply{Text: "again", Route: core.RouteFAQ})
	if got := h.fake.Count(feishutest.OpCardCreate); got != 1 {
		t.Errorf("CardKit tried %d times, want 1", got)
	}
}

func TestReplyFallsBackToText(t *testing.T) {
	h := newHarness(t, nil)
	h.fake.Fail(feishutest.OpCardCreate, feishutest.CodeNoPermission, 1)
	h.fake.Fail(feishutest.OpReply, feishutest.CodeNoPermission, 1) // the interactive card
	h.stream(h.env("1"), 300*time.Millisecond, []string{"Hello"}, core.Reply{Text: "Hello there!", Route: core.RouteDegraded})
	m := h.only()
	if m.MsgType != "text" || h.fake.Shown(m, "") != "Hello there!\n\n— degraded" {
		t.Fatalf("message %+v", m)
	}
}

func TestReplySplitsAnswersOverCardLimit(t *testing.T) {
	tests := []struct {
		name   string
		answer string
	}{
		{"paragraphs", strings.Repeat("A line of a long answer that goes on.\n\n", 2000)}, // 78 KB
		{"CJK without breaks", strings.Repeat("飞书卡片的大小限制是三十千字节", 2500)},                   // 112 KB
		{"escapes", strings.Repeat(`"<&>" \ `, 9000)},                                     // 72 KB, grows when escaped
		{"streamed", strings.Repeat("Streamed words keep coming and coming. ", 1600)},     // 62 KB
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			var updates []string
			if tc.name == "streamed" {
				for n := 4096; n < len(tc.answer); n += 4096 {
					updates = append(updates, tc.answer[:n])
				}
			}
			h.stream(h.env("1"), 300*time.Millisecond, updates, modelReply(tc.answer))
			ms := h.fake.Messages()
			if len(ms) < 2 {
				t.Fatalf("%d messages, want the answer split", len(ms))
			}
			var joined strings.Builder
			for i, m := range ms {
				part := h.fake.Shown(m, answerElement)
				if !utf8.ValidString(part) {
					t.Fatalf("part %d is not valid UTF-8", i)
				}
				size := 0
				for _, r := range part {
					size += escapedLen(r)
				}
				if size > cardBudget {
					t.Fatalf("part %d: %d escaped bytes, budget %d", i, size, cardBudget)
				}
				joined.WriteString(part)
				footer := h.fake.Shown(m, routeElement)
				if last := i == len(ms)-1; last != strings.Contains(footer, "qwen") {
					t.Errorf("part %d of %d: footer %q", i+1, len(ms), footer)
				}
				if m.UUID != replyUUID("om_1", "reply", i) {
					t.Errorf("part %d: uuid %s", i, m.UUID)
				}
			}
			got := strings.Join(strings.Fields(cardUnescape(joined.String())), "")
			if want := strings.Join(strings.Fields(tc.answer), ""); got != want {
				t.Fatalf("parts do not add up to the answer (%d vs %d bytes without spaces)", len(got), len(want))
			}
		})
	}
}

// cardUnescape undoes the escapes of card markdown the split tests meet.
func cardUnescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", `\\`, `\`).Replace(s)
}

func TestReplyRetriesRateLimits(t *testing.T) {
	h := newHarness(t, nil)
	h.fake.Fail(feishutest.OpReply, feishutest.CodeRateLimited, 2)
	h.fake.Fail(feishutest.OpCardContent, feishutest.CodeRateLimited, 3)
	h.fake.Fail(feishutest.OpCardSettings, 99991400, 1)
	h.stream(h.env("1"), 300*time.Millisecond, []string{"one", "one two"}, core.Reply{Text: "one two three", Route: core.RouteFAQ})
	m := h.only()
	c, _ := h.fake.Card(m.ID)
	if c.Elements[answerElement] != "one two three" || c.Streaming {
		t.Fatalf("card %+v", c)
	}
	if got := h.fake.Count(feishutest.OpReply); got != 3 {
		t.Errorf("%d reply calls, want 3 (two rate limited)", got)
	}
}

func TestReplyGivesUpAfterPersistentRateLimit(t *testing.T) {
	h := newHarness(t, nil)
	h.fake.Fail(feishutest.OpReply, feishutest.CodeRateLimited, maxAttempts)
	w, _ := h.a.Reply(context.Background(), h.env("1"))
	err := w.Finish(context.Background(), core.Reply{Text: "x", Route: core.RouteFAQ})
	if apiCode(err) != feishutest.CodeRateLimited {
		t.Fatalf("err %v, want the rate limit after %d attempts", err, maxAttempts)
	}
	if n := len(h.fake.Messages()); n != 0 {
		t.Fatalf("%d messages", n)
	}
}

func TestCompleteAnswerIsOneCardMessage(t *testing.T) {
	h := newHarness(t, nil)
	// Updates within the first update_interval: the answer is complete
	// before anything was shown.
	h.stream(h.env("1"), 50*time.Millisecond, []string{"The VPN", "The VPN address is"},
		modelReply("The VPN address is vpn.example.com."))
	m := h.only()
	if m.MsgType != "interactive" || m.ParentID != "om_1" {
		t.Fatalf("message %+v, want one card in reply", m)
	}
	if got := h.fake.Shown(m, answerElement); got != "The VPN address is vpn.example.com." {
		t.Errorf("answer %q", got)
	}
	if n := h.fake.Count(feishutest.OpCardCreate) + h.fake.Count(feishutest.OpCardContent) + len(m.Patches); n != 0 {
		t.Errorf("%d CardKit calls and patches, want none for an answer posted whole", n)
	}
}

func TestReplayedTurnDoesNotPostTwice(t *testing.T) {
	h := newHarness(t, nil)
	env := h.env("1")
	ctx := context.Background()
	// The first run streams and then "crashes" before finishing.
	w1, _ := h.a.Reply(ctx, env)
	h.clock.Advance(300 * time.Millisecond)
	if err := w1.Update(ctx, "partial answ"); err != nil {
		t.Fatal(err)
	}
	// After the restart the turn is replayed from the envelope alone, by a
	// fresh adapter.
	h.clock.Advance(5 * time.Second)
	h.restart()
	h.stream(env, 300*time.Millisecond, []string{"full"}, core.Reply{Text: "full answer", Route: core.RouteFAQ})
	m := h.only()
	c, _ := h.fake.Card(m.ID)
	if c.Elements[answerElement] != "full answer" || c.Streaming {
		t.Fatalf("the posted card shows %q (streaming %v)", c.Elements[answerElement], c.Streaming)
	}
}

func TestReplyToRecalledMessageGoesToChat(t *testing.T) {
	h := newHarness(t, nil)
	h.fake.Fail(feishutest.OpReply, 230011, 1)
	h.stream(h.env("1"), 0, nil, core.Reply{Text: "answer", Route: core.RouteFAQ})
	m := h.only()
	if m.ChatID != "oc_group" || m.ParentID != "" {
		t.Fatalf("message %+v, want one sent to the chat", m)
	}
}

func TestTenantTokenRefresh(t *testing.T) {
	h := newHarness(t, nil)
	h.fake.SetTokenTTL(4 * time.Second) // the adapter renews after 2 s
	h.stream(h.env("1"), 0, nil, core.Reply{Text: "a", Route: core.RouteFAQ})
	h.stream(h.env("2"), 0, nil, core.Reply{Text: "b", Route: core.RouteFAQ})
	if got := h.fake.Count(feishutest.OpToken); got != 1 {
		t.Fatalf("%d token fetches for two replies, want 1", got)
	}
	h.clock.Advance(3 * time.Second)
	h.stream(h.env("3"), 0, nil, core.Reply{Text: "c", Route: core.RouteFAQ})
	if got := h.fake.Count(feishutest.OpToken); got != 2 {
		t.Fatalf("%d token fetches after expiry, want 2", got)
	}
	h.fake.ExpireTokens() // revoked early: the API answers 99991663
	h.stream(h.env("4"), 0, nil, core.Reply{Text: "d", Route: core.RouteFAQ})
	if got := h.fake.Count(feishutest.OpToken); got != 3 {
		t.Fatalf("%d token fetches after revocation, want 3", got)
	}
	if n := len(h.fake.Messages()); n != 4 {
		t.Fatalf("%d messages, want 4", n)
	}
}

func TestSplitPoint(t *testing.T) {
	tests := []struct {
		s      string
		budget int
		want   int
	}{
		{"short", 10, 5},
		{"hello world again", 12, 12},     // after "hello world "
		{"aaaaaaaaaaaaaaaa", 10, 10},      // no break: hard cut
		{"para one.\n\npara two", 15, 11}, // after the blank line
		{"日本語テキスト", 7, 6},                 // rune boundary (3 bytes each)
		{`"""""`, 5, 2},                   // quotes escape to 2 bytes
		{"é", 1, 2},                       // never zero
	}
	for _, tc := range tests {
		if got := splitPoint(tc.s, tc.budget); got != tc.want {
			t.Errorf("splitPoint(%q, %d) = %d, want %d", tc.s, tc.budget, got, tc.want)
		}
	}
}

func TestReplyUUIDIsStableAndDistinct(t *testing.T) {
	a, b := replyUUID("om_1", "reply", 0), replyUUID("om_1", "reply", 0)
	if a != b || len(a) != 36 {
		t.Fatalf("uuid %q vs %q", a, b)
	}
	for _, other := range []string{replyUUID("om_1", "reply", 1), replyUUID("om_2", "reply", 0), replyUUID("om_1", "notice", 0)} {
		if other == a {
			t.Fatalf("collision %q", a)
		}
	}
}

func TestAnswerAfterRefusalIsPostedAsItsOwnMessage(t *testing.T) {
	// A message refused as busy (not accepted) comes again and is answered:
	// the answer must be posted, not swallowed by the refusal's uuid, and a
	// repeated refusal must not post twice.
	h := newHarness(t, nil)
	env := h.env("1")
	busy := core.Reply{Text: "busy, try again", Route: core.RouteCommand, Refusal: core.RefusalBusy}
	h.stream(env, 0, nil, busy)
	h.stream(env, 0, nil, busy)
	if ms := h.fake.Messages(); len(ms) != 1 {
		t.Fatalf("%d messages after two refusals of one message, want 1", len(ms))
	}
	h.stream(env, 300*time.Millisecond, []string{"the"}, core.Reply{Text: "the answer", Route: core.RouteFAQ})
	ms := h.fake.Messages()
	if len(ms) != 2 || ms[1].ParentID != "om_1" || ms[1].UUID != replyUUID("om_1", "reply", 0) {
		t.Fatalf("messages %+v, want the refusal and then the answer", ms)
	}
	if c, _ := h.fake.Card(ms[1].ID); c.Elements[answerElement] != "the answer" {
		t.Fatalf("answer card shows %q", c.Elements[answerElement])
	}
}
