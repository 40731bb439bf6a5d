package web

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"imbot/core"
	"imbot/core/catalog"
)

// browserTimeout bounds each wait on the page.
const browserTimeout = 10 * time.Second

// chromium returns the path of a Chromium binary. Without one the test is
// skipped, unless CI is set: there a missing browser is a failure.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("IMBOT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium found (chromium, chromium-browser, google-chrome or IMBOT_CHROMIUM); CI needs it for the browser tests")
	}
	t.Skip("no Chromium found: install the chromium package (or set IMBOT_CHROMIUM) to run the browser tests")
	return ""
}

// artifactDir is where screenshots go: $IMBOT_ARTIFACTS, else a temporary
// directory of the test.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("IMBOT_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// memChatList is an in-memory ChatList.
type memChatList struct {
	mu    sync.Mutex
	items map[core.UserID][]core.ChatSummary
}

func (m *memChatList) ChatSummaries(_ context.Context, _ core.Platform, user core.UserID) ([]core.ChatSummary, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := slices.Clone(m.items[user])
	slices.SortStableFunc(out, func(a, b core.ChatSummary) int { return b.Updated.Compare(a.Updated) })
	return out, nil
}

func (m *memChatList) TouchChat(_ context.Context, _ core.Platform, user core.UserID, chat core.ChatID, title string, at time.Time) error {
	m.edit(user, chat, func(s *core.ChatSummary, found bool) {
		if !found {
			s.Title, s.Created = title, at
		}
		s.Updated = at
	})
	return nil
}

func (m *memChatList) RenameChat(_ context.Context, _ core.Platform, user core.UserID, chat core.ChatID, title string) error {
	m.edit(user, chat, func(s *core.ChatSummary, _ bool) { s.Title = title })
	return nil
}

func (m *memChatList) DeleteChat(_ context.Context, _ core.Platform, user core.UserID, chat core.ChatID) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items[user] = slices.DeleteFunc(m.items[user], func(s core.ChatSummary) bool { return s.Chat == chat })
	return nil
}

func (m *memChatList) edit(user core.UserID, chat core.ChatID, f func(*core.ChatSummary, bool)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.items == nil {
		m.items = make(map[core.UserID][]core.ChatSummary)
	}
	list := m.items[user]
	for i := range list {
		if list[i].Chat == chat {
			f(&list[i], true)
			return
		}
	}
	s := core.ChatSummary{Chat: chat}
	f(&s, false)
	m.items[user] = append(list, s)
}

// browserEnv is a running adapter with a Chromium tab on its page. The test
// plays the dispatcher: it takes each delivered message and streams the
// answer it chooses.
type browserEnv struct {
	*testEnv
	ctx   context.Context
	chats *memChatList
	dir   string
}

// online is true once the page is connected.
const online = `document.querySelector('#status.on') !== null`

// openChat opens the page of an open chat (no tokens) and waits until it
// is connected.
func openChat(t *testing.T, lang string, width, height int) *browserEnv {
	t.Helper()
	b := newBrowserEnv(t, testConfig(), lang, width, height)
	b.wait(t, online)
	return b
}

// newBrowserEnv starts the adapter with cfg and a headless Chromium with
// the page's language lang ("en-US", "zh-CN") and a width × height window,
// and loads the page.
func newBrowserEnv(t *testing.T, cfg Config, lang string, width, height int) *browserEnv {
	t.Helper()
	return newBrowserEnvAt(t, cfg, lang, width, height, "/")
}

// newBrowserEnvAt is newBrowserEnv loading the page at path (with its
// query and fragment).
func newBrowserEnvAt(t *testing.T, cfg Config, lang string, width, height int, path string) *browserEnv {
	t.Helper()
	exe := chromium(t)
	chats := &memChatList{}
	suggest := func(l catalog.Lang) []string {
		if l == catalog.ZH {
			return []string{"imbot 是什么？", "怎么重置对话？"}
		}
		return []string{"What is imbot?", "How do I reset?"}
	}
	e := newTestEnv(t, cfg, false, WithChatList(chats), WithSuggestions(suggest))
	e.d.seen = &sync.Map{} // drop resent message ids, as the dispatcher does
	e.run(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", lang), chromedp.Flag("accept-lang", lang),
		chromedp.WindowSize(width, height),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first run starts the browser, which lives as long as that run's
	// context: so it gets ctx itself, and later runs their own timeouts.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	b := &browserEnv{testEnv: e, ctx: ctx, chats: chats, dir: artifactDir(t)}
	b.do(t, chromedp.EmulateViewport(int64(width), int64(height)), chromedp.Navigate(e.srv.URL+path))
	return b
}

// do runs actions on the page, each bounded by browserTimeout.
func (b *browserEnv) do(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// wait waits until the JavaScript expression is truthy on the page.
func (b *browserEnv) wait(t *testing.T, expr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[any](expr, chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		t.Fatalf("waiting for %s: %v", expr, err)
	}
}

// eval returns the value of a JavaScript expression on the page.
func eval[T any](t *testing.T, b *browserEnv, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// ask types text into the message box and presses Enter, and returns the
// envelope the adapter delivered.
func (b *browserEnv) ask(t *testing.T, text string) core.Envelope {
	t.Helper()
	b.do(t, chromedp.SendKeys(chromedp.CSS(`#input`), text), pressEnter())
	env := b.d.next(t)
	if env.Text != text {
		t.Fatalf("delivered %q, want %q", env.Text, text)
	}
	return env
}

// pressEnter presses Enter the way a keyboard does for a page that handles
// the key: key down and up without the newline text that chromedp's key
// events would insert into the text area on their own.
func pressEnter() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
			p := input.DispatchKeyEventParams{Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13}
			if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, p); err != nil {
				return err
			}
		}
		return nil
	})
}

// stream opens the reply to env and sends parts as growing updates.
func (b *browserEnv) stream(t *testing.T, env core.Envelope, parts ...string) *streamedReply {
	t.Helper()
	w, err := b.a.Reply(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	r := &streamedReply{b: b, env: env, w: w}
	r.answerCtx, r.release = w.(core.Stoppable).StopContext(context.Background())
	t.Cleanup(r.release)
	r.more(t, parts...)
	return r
}

// streamedReply is a reply the test is streaming.
type streamedReply struct {
	b     *browserEnv
	env   core.Envelope
	w     core.ReplyWriter
	sofar strings.Builder
	// answerCtx ends when the page stops the reply, as the dispatcher's
	// answer context does.
	answerCtx context.Context
	release   context.CancelFunc
}

func (r *streamedReply) more(t *testing.T, parts ...string) {
	t.Helper()
	for _, p := range parts {
		r.sofar.WriteString(p)
		if err := r.w.Update(context.Background(), r.sofar.String()); err != nil {
			t.Fatal(err)
		}
	}
}

// finish ends the reply with its whole text and records the turn, as the
// dispatcher does.
func (r *streamedReply) finish(t *testing.T, reply core.Reply) {
	t.Helper()
	if reply.Text == "" {
		reply.Text = r.sofar.String()
	}
	if err := r.w.Finish(context.Background(), reply); err != nil {
		t.Fatal(err)
	}
	turn := core.Turn{Envelope: r.env, User: core.Message{Role: core.RoleUser, Text: r.env.Text, At: r.env.Received},
		Reply: core.Message{Role: core.RoleAssistant, Text: reply.Text, At: time.Now(), Route: reply.Route, Provider: reply.Provider, Model: reply.Model}}
	if err := r.b.history.Complete(context.Background(), turn); err != nil {
		t.Fatal(err)
	}
}

// answer streams parts and finishes with their text from a model.
func (b *browserEnv) answer(t *testing.T, env core.Envelope, parts ...string) {
	t.Helper()
	b.stream(t, env, parts...).finish(t, core.Reply{Route: core.RouteModel, Provider: "openai", Model: "gpt-4o-mini"})
}

// screenshot saves the page as name in the artifact directory.
func (b *browserEnv) screenshot(t *testing.T, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(b.dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// lastAnswer is the text of the last answer bubble on the page.
const lastAnswer = `([...document.querySelectorAll('.msg.bot .bubble')].pop()?.textContent ?? '')`

// count returns how many elements match the CSS selector whose text is text.
func count(t *testing.T, b *browserEnv, selector, text string) int {
	t.Helper()
	return eval[int](t, b, `[...document.querySelectorAll(`+jsString(selector)+`)].filter(e => e.textContent === `+jsString(text)+`).length`)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}

func TestBrowserChat(t *testing.T) {
	b := openChat(t, "en-US", 1200, 800)

	if got := eval[string](t, b, `document.querySelector('.chips button')?.textContent`); got != "What is imbot?" {
		t.Errorf("first suggestion %q, want the knowledge base's example", got)
	}
	env := b.ask(t, "Hello there")
	if user := eval[string](t, b, `localStorage.getItem('imbot.user')`); env.UserID != core.UserID(user) || user == "" {
		t.Errorf("envelope user %q, want the page's user id %q", env.UserID, user)
	}
	r := b.stream(t, env, "Hi, ")
	b.wait(t, lastAnswer+` === 'Hi,'`) // a paragraph's trailing space is dropped
	r.more(t, "**friend**")
	b.wait(t, `document.querySelector('.msg.bot.wait strong')?.textContent === 'friend'`)
	r.finish(t, core.Reply{Route: core.RouteModel, Provider: "openai", Model: "gpt-4o-mini"})
	b.wait(t, `[...document.querySelectorAll('.msg.bot .tag')].some(e => e.textContent === 'GPT-4o mini')`)
	b.wait(t, `document.querySelector('#convs li[aria-current="true"] .open span')?.textContent === 'Hello there'`)
	if n := eval[int](t, b, `document.querySelectorAll('.msg time').length`); n != 2 {
		t.Errorf("%d time stamps, want one per message", n)
	}

	t.Run("stop", func(t *testing.T) {
		env := b.ask(t, "Tell me a long story")
		r := b.stream(t, env, "Once upon a time")
		b.wait(t, lastAnswer+` === 'Once upon a time'`)
		b.do(t, chromedp.KeyEvent(kb.Escape))
		waitFor(t, func() bool { return errors.Is(context.Cause(r.answerCtx), core.ErrStopped) })
		r.more(t, " there was more that nobody should see")
		r.finish(t, core.Reply{Route: core.RouteModel, Model: "gpt-4o-mini"})
		b.wait(t, `document.querySelector('.msg.bot:last-child .tag.stopped') !== null && !document.querySelector('.wait')`)
		if got := eval[string](t, b, lastAnswer); got != "Once upon a time" {
			t.Errorf("stopped answer shows %q, want only what came before stop", got)
		}
	})

	t.Run("regenerate", func(t *testing.T) {
		b.do(t, chromedp.Click(chromedp.CSS(`.msg.bot:last-child .actions button:last-child`)))
		env := b.d.next(t)
		if env.Text != "Tell me a long story" {
			t.Fatalf("regenerate asked %q, want the last question again", env.Text)
		}
		b.answer(t, env, "A second story.")
		b.wait(t, lastAnswer+` === 'A second story.'`)
		if n := count(t, b, ".msg.bot .bubble", "Once upon a time"); n != 0 {
			t.Errorf("the regenerated answer is still shown %d times", n)
		}
	})

	t.Run("markup is inert", func(t *testing.T) {
		env := b.ask(t, "show me markup")
		b.answer(t, env, "<script>window.pwned = 1</script> <img src=x onerror=\"window.pwned = 2\">\n\n"+
			"| lang | year |\n|---|--:|\n| Go | 2009 |\n\n```go\nfmt.Println(\"hi\")\n```\n\n[docs](https://go.dev) [bad](javascript:alert(1))")
		b.wait(t, `document.querySelector('.msg.bot:last-child table') !== null`)
		checks := map[string]string{
			"no script ran":             `window.pwned === undefined`,
			"no img or script element":  `document.querySelector('#log img, #log script') === null`,
			"raw HTML shown as text":    `document.querySelector('.msg.bot:last-child .bubble').textContent.includes('<script>')`,
			"table cell":                `document.querySelector('.msg.bot:last-child td')?.textContent === 'Go'`,
			"code language label":       `document.querySelector('.msg.bot:last-child .code-lang')?.textContent === 'go'`,
			"link opens safely":         `(a => a.target === '_blank' && a.rel === 'noopener noreferrer')(document.querySelector('.msg.bot:last-child a'))`,
			"javascript: link inert":    `document.querySelectorAll('.msg.bot:last-child a').length === 1`,
			"copy buttons on code":      `document.querySelector('.msg.bot:last-child .code-head button') !== null`,
			"copy button on the answer": `document.querySelector('.msg.bot:last-child .actions button') !== null`,
		}
		for name, expr := range checks {
			if !eval[bool](t, b, expr) {
				t.Errorf("%s: %s is false", name, expr)
			}
		}
	})

	t.Run("reload shows the history once", func(t *testing.T) {
		b.do(t, chromedp.Reload())
		b.wait(t, online+` && document.querySelectorAll('.msg').length > 0`)
		if n := count(t, b, ".msg.user .bubble", "Hello there"); n != 1 {
			t.Errorf("question shown %d times after reload, want 1", n)
		}
		if n := count(t, b, ".msg.bot .bubble", "A second story."); n != 1 {
			t.Errorf("answer shown %d times after reload, want 1", n)
		}
	})

	t.Run("reconnect resumes", func(t *testing.T) {
		env := b.ask(t, "a question across a drop")
		r := b.stream(t, env, "partial")
		b.wait(t, lastAnswer+` === 'partial'`)
		for _, c := range b.a.hub.all() {
			_ = c.ws.Close()
		}
		b.wait(t, `document.querySelector('#status.off') !== null`)
		b.wait(t, online)
		waitFor(t, func() bool {
			_, again := b.d.seen.Load(string(env.ChatID) + "/" + string(env.MessageID) + "/again")
			return again
		})
		r.more(t, " and the rest")
		r.finish(t, core.Reply{Route: core.RouteFAQ})
		b.wait(t, lastAnswer+` === 'partial and the rest'`)
		if n := count(t, b, ".msg.user .bubble", "a question across a drop"); n != 1 {
			t.Errorf("question shown %d times after the reconnect, want 1", n)
		}
		if n := count(t, b, ".msg.bot .tag", "from the FAQ"); n != 1 {
			t.Errorf("%d FAQ labels, want 1", n)
		}
	})

	t.Run("conversations", func(t *testing.T) {
		b.do(t, chromedp.Click(chromedp.CSS(`#convs li[aria-current="true"] button[title="Rename"]`)))
		b.do(t, chromedp.WaitVisible(chromedp.CSS(`#ask-input`)), chromedp.SendKeys(chromedp.CSS(`#ask-input`), "Renamed chat"+kb.Enter))
		b.wait(t, `document.querySelector('#convs li[aria-current="true"] .open span')?.textContent === 'Renamed chat'`)
		b.screenshot(t, "desktop-en.png")
		b.do(t, chromedp.Click(chromedp.CSS(`#new`)))
		b.wait(t, online+` && document.querySelector('.empty') !== null`)
		b.answer(t, b.ask(t, "A second conversation"), "Welcome back.")
		b.wait(t, `document.querySelectorAll('#convs li').length === 2`)
		b.do(t, chromedp.Click(chromedp.CSS(`#convs li:last-child .open`)))
		b.wait(t, online+` && document.querySelectorAll('.msg').length >= 8`)
		env := b.ask(t, "/reset")
		b.wait(t, `document.querySelectorAll('.msg').length === 2`) // the screen clears at once
		b.stream(t, env).finish(t, core.Reply{Text: "Done.", Route: core.RouteCommand})
		b.wait(t, lastAnswer+` === 'Done.' && document.querySelectorAll('.msg').length === 2`)
		b.do(t, chromedp.Click(chromedp.CSS(`#convs li:not([aria-current]) button[title="Delete"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#ask-ok`)), chromedp.Click(chromedp.CSS(`#ask-ok`)))
		b.wait(t, `document.querySelectorAll('#convs li').length === 1 && document.querySelectorAll('.msg').length === 2`)
		if list, _ := b.chats.ChatSummaries(context.Background(), Platform, env.UserID); len(list) != 1 || list[0].Chat != env.ChatID {
			t.Errorf("stored list %+v, want only the current conversation", list)
		}
	})
}

func TestBrowserChinesePhone(t *testing.T) {
	b := openChat(t, "zh-CN", 360, 740)
	b.wait(t, `document.querySelector('#send').textContent === '发送'`)
	if got := eval[string](t, b, `document.documentElement.lang + ' ' + navigator.language`); !strings.HasPrefix(got, "zh-CN zh") {
		t.Errorf("page language %q, want zh-CN", got)
	}
	if got := eval[string](t, b, `document.querySelector('.chips button')?.textContent`); got != "imbot 是什么？" {
		t.Errorf("first suggestion %q, want the Chinese one", got)
	}
	env := b.ask(t, "怎么重置对话？")
	b.stream(t, env, "发送 `/reset` 即可。").finish(t, core.Reply{Route: core.RouteFAQ})
	b.wait(t, `[...document.querySelectorAll('.msg.bot .tag')].some(e => e.textContent === '来自常见问题')`)
	if w := eval[int](t, b, `document.documentElement.scrollWidth`); w > 360 {
		t.Errorf("page is %d px wide on a 360 px screen", w)
	}
	b.screenshot(t, "phone-zh.png")
	b.do(t, chromedp.Click(chromedp.CSS(`#menu`)))
	b.wait(t, `document.querySelector('#side.open') !== null && document.querySelector('#menu').getAttribute('aria-expanded') === 'true'`)
}

// contrastScript returns the lowest contrast ratio of any visible text on
// the page against its (first opaque ancestor's) background, with the
// element that has it.
const contrastScript = `(() => {
  const rgb = s => (s.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const bg = e => { for (; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || c[3] > 0.5) return c; } return [255, 255, 255]; };
  let worst = {ratio: 99, what: ''};
  for (const e of document.querySelectorAll('body *')) {
    if (![...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) || !e.getClientRects().length) continue;
    const s = getComputedStyle(e);
    if (s.visibility === 'hidden' || e.closest('[hidden], dialog:not([open])')) continue;
    const a = lum(rgb(s.color)), c = lum(bg(e)), ratio = (Math.max(a, c) + 0.05) / (Math.min(a, c) + 0.05);
    if (ratio < worst.ratio) worst = {ratio, what: e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 30)};
  }
  return worst;
})()`

func TestBrowserContrast(t *testing.T) {
	b := openChat(t, "en-US", 900, 700)
	env := b.ask(t, "contrast check")
	b.answer(t, env, "Some `code`, a [link](https://example.com) and\n\n> a quote")
	b.wait(t, `document.querySelector('.msg.bot .tag') !== null`)
	type worst struct {
		Ratio float64 `json:"ratio"`
		What  string  `json:"what"`
	}
	for _, scheme := range []string{"light", "dark"} {
		b.do(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
			return err
		}))
		w := eval[worst](t, b, contrastScript)
		if w.Ratio < 4.5 {
			t.Errorf("%s theme: contrast %.2f:1 for %s, want at least 4.5:1", scheme, w.Ratio, w.What)
		}
		t.Logf("%s theme: lowest text contrast %.2f:1 (%s)", scheme, w.Ratio, w.What)
	}
}

// waitFor waits until cond holds, checking every few milliseconds up to
// browserTimeout.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(browserTimeout)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatal("condition not met in time")
		}
	}
}

func TestBrowserSignIn(t *testing.T) {
	cfg := testConfig()
	cfg.Tokens = []string{"browser-token-0123456789"}
	b := newBrowserEnv(t, cfg, "en-US", 900, 700)
	b.wait(t, `document.querySelector('#login[open]') !== null && document.querySelector('#status.off') !== null`)
	b.do(t, chromedp.SendKeys(chromedp.CSS(`#token`), "wrong-token-0123456789"+kb.Enter))
	b.wait(t, `document.querySelector('#login[open]') !== null && !document.querySelector('#login-error').hidden`)
	b.do(t, chromedp.SendKeys(chromedp.CSS(`#token`), cfg.Tokens[0]+kb.Enter))
	b.wait(t, online+` && document.querySelector('#login[open]') === null`)
	if got := eval[string](t, b, `localStorage.getItem('imbot.token')`); got != cfg.Tokens[0] {
		t.Errorf("stored token %q, want the accepted one", got)
	}
}

func TestBrowserIdentityTokenInTheFragment(t *testing.T) {
	cfg := testConfig()
	cfg.JWTSecret, cfg.JWTSecretEnv = testSecret, "IMBOT_WEB_JWT_SECRET"
	b := newBrowserEnvAt(t, cfg, "en-US", 900, 700, "/#token="+signHS256(t, testSecret, validClaims()))
	b.wait(t, online+` && document.querySelector('#login[open]') === null`)
	if got := eval[string](t, b, `location.hash`); got != "" {
		t.Errorf("the token stays in the address bar: %q", got)
	}
	if env := b.ask(t, "hello"); env.UserID != "alice" {
		t.Fatalf("the message belongs to %q, want the token's subject", env.UserID)
	}
}
