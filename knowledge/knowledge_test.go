package knowledge

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"imbot/core"
	"imbot/core/catalog"
	"imbot/core/faq"
)

const shopKB = `
[[entry]]
id = "refund"
answer = "Refunds: open Orders, choose the order, press Refund. 退款：在订单页选择订单并点击退款。"
questions = ["How do I get a refund?", "怎么申请退款", "退款流程是什么", "I want my money back"]
[[entry]]
id = "shipping"
answer = "Orders ship within two working days. 订单两个工作日内发货。"
questions = ["When will my order ship?", "什么时候发货", "How long does delivery take?", "多久能到货"]
[[entry]]
id = "password"
answer = "Reset your password from the login page. 在登录页重置密码。"
questions = ["How do I reset my password?", "忘记密码怎么办", "I can't log in", "密码怎么改"]
`

func writeKB(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kb.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestKnowledgeReloadSwapsUnderConcurrentLookups(t *testing.T) {
	cfg := faq.DefaultConfig()
	cfg.FAQFile = writeKB(t, shopKB)
	k, err := Load(context.Background(), cfg, quiet())
	if err != nil {
		t.Fatal(err)
	}
	smaller := cfg
	smaller.FAQFile = writeKB(t, shopKB[:strings.Index(shopKB, "[[entry]]\nid = \"password\"")])
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if m := k.Lookup(context.Background(), "怎么申请退款"); m.EntryID != "refund" {
					errs <- fmt.Errorf("best entry %q during reload", m.EntryID)
					return
				}
			}
		})
	}
	for i := range 20 {
		next := cfg
		if i%2 == 0 {
			next = smaller
		}
		if err := k.Reload(context.Background(), next); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestKnowledgeReloadKeepsRunningIndexOnBadFile(t *testing.T) {
	cfg := faq.DefaultConfig()
	cfg.FAQFile = writeKB(t, shopKB)
	k, err := Load(context.Background(), cfg, quiet())
	if err != nil {
		t.Fatal(err)
	}
	bad := cfg
	bad.FAQFile = writeKB(t, "[[entry]]\nid = \"x\"\nanswer = \"\"\n")
	if err := k.Reload(context.Background(), bad); err == nil {
		t.Fatal("reloaded an invalid knowledge base")
	}
	if m := k.Lookup(context.Background(), "How do I get a refund?"); m.EntryID != "refund" || m.Tier != core.TierAnswer {
		t.Fatalf("after a failed reload: %+v", m)
	}
}

func TestFAQAddCommand(t *testing.T) {
	cfg := faq.DefaultConfig()
	cfg.FAQFile = writeKB(t, shopKB)
	k, err := Load(context.Background(), cfg, quiet())
	if err != nil {
		t.Fatal(err)
	}
	history := &fixedHistory{msgs: []core.Message{{Role: core.RoleUser, Text: "Do you ship to Mars?"}, {Role: core.RoleAssistant, Text: "…"}}}
	cmd := Command(func() []string { return []string{"telegram:42"} }, k, history)
	run := func(user, args string) string {
		t.Helper()
		out, err := cmd.Run(context.Background(), core.CommandRequest{
			Envelope: core.Envelope{Platform: "telegram", UserID: core.UserID(user), ChatID: "c"}, Args: args})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out := run("7", "add mars We ship to Mars on Tuesdays."); !strings.Contains(out, "Only the bot's admins") {
		t.Fatalf("non-admin: %q", out)
	}
	zh, err := cmd.Run(context.Background(), core.CommandRequest{
		Envelope: core.Envelope{Platform: "telegram", UserID: "7", ChatID: "c", Lang: catalog.ZH}, Args: "add x y"})
	if want := (*catalog.Catalog)(nil).Text(catalog.ZH, catalog.FAQAdminOnly); err != nil || zh != want {
		t.Fatalf("non-admin in Chinese: %q, %v; want %q", zh, err, want)
	}
	if out := run("42", "add onlyid"); !strings.HasPrefix(out, "Both an id and an answer are needed.") || !strings.Contains(out, "Usage: /faq add") {
		t.Fatalf("add without an answer: %q", out)
	}
	if out := run("42", "add mars We ship to Mars on Tuesdays."); !strings.Contains(out, `Added "mars" with 1 example`) {
		t.Fatalf("admin add: %q", out)
	}
	if out := run("42", "add refund dup"); !strings.Contains(out, "Not added") {
		t.Fatalf("duplicate id: %q", out)
	}
	out := run("42", "add moon We ship to the Moon too.\n? Can you deliver to the Moon?\n? 能送到月球吗")
	if !strings.Contains(out, "2 example") {
		t.Fatalf("explicit questions: %q", out)
	}
	if m := k.Lookup(context.Background(), "Do you ship to Mars?"); m.EntryID != "mars" {
		t.Fatalf("new entry not searchable after add: %+v", m)
	}
	kb, err := faq.Load(cfg.FAQFile)
	if err != nil || len(kb.Entries) != 5 {
		t.Fatalf("file after adds: %d entries, %v", len(kb.Entries), err)
	}
}

// fixedHistory is a core.History with fixed messages.
type fixedHistory struct{ msgs []core.Message }

func (h *fixedHistory) Recent(context.Context, core.ConversationKey, int) ([]core.Message, error) {
	return h.msgs, nil
}
func (h *fixedHistory) Complete(context.Context, core.Turn) error         { return nil }
func (h *fixedHistory) Reset(context.Context, core.ConversationKey) error { return nil }

func TestExamplesPerLanguage(t *testing.T) {
	kb, err := Load(context.Background(), faq.DefaultConfig(), quiet())
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []catalog.Lang{catalog.EN, catalog.ZH} {
		got := kb.Examples(lang, 3)
		if len(got) != 3 {
			t.Fatalf("Examples(%s, 3) = %q, want 3 questions", lang, got)
		}
		for _, q := range got {
			if l, _ := catalog.Detect(q); l != lang {
				t.Errorf("Examples(%s) gave %q, in %q", lang, q, l)
			}
		}
	}
}
