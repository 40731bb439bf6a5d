// Command demo serves the web chat page with canned answers and no models,
// for looking at the page while working on it:
//
//	go run ./adapters/web/testdata/demo -addr 127.0.0.1:8089 [-token T]
//
// Every browser that connects without a session joins the session "demo",
// sees its stored history, and is sent three replies (model, FAQ, degraded)
// as if they were answers to messages from another tab. Messages typed in
// the page are answered by echoing them as Markdown.
package main

import (
	"context"
	"flag"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"time"

	"imbot/adapters/web"
	"imbot/core"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8089", "listen address")
	token := flag.String("token", "", "require this access token")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	hist := &history{convs: map[core.ConversationKey][]core.Message{}}
	cfg := web.DefaultConfig()
	if *token != "" {
		cfg.Tokens = []string{*token}
	}
	a, err := web.New(cfg, hist, web.WithLogger(slog.Default()))
	if err != nil {
		log.Fatal(err)
	}
	seed(hist)
	mux := http.NewServeMux()
	a.Mount(mux)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ws" || r.URL.Query().Get("session") != "" {
			mux.ServeHTTP(w, r)
			return
		}
		q := r.URL.Query()
		q.Set("session", "demo")
		r.URL.RawQuery = q.Encode()
		mux.ServeHTTP(w, r)
		go showcase(ctx, a)
	})
	srv := &http.Server{Addr: *addr, Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	go func() {
		if err := a.Run(ctx, func(ctx context.Context, env core.Envelope) error {
			go echo(ctx, a, hist, env)
			return nil
		}); err != nil {
			log.Print(err)
		}
	}()
	log.Printf("serving on http://%s", *addr)
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

var replies = []core.Reply{
	{Route: core.RouteModel, Provider: "local", Model: "qwen3:8b", Text: "Sure. To start the daemon:\n\n" +
		"```\nimbot serve -config /etc/imbot/config.toml\n```\n\n" +
		"Then check it:\n\n- `GET /healthz` answers **200** when alive\n- `GET /readyz` when ready\n\n" +
		"See [the docs](https://example.com/docs) for more. <b>HTML stays text.</b>"},
	{Route: core.RouteFAQ, Text: "Our office hours are **9:00–18:00**, Monday to Friday."},
	{Route: core.RouteDegraded, Text: "Sorry, I can't answer that right now. Please try again later."},
}

// showcase streams the canned replies to the demo session.
func showcase(ctx context.Context, a *web.Adapter) {
	for i, r := range replies {
		env := core.Envelope{Platform: web.Platform, ChatID: "demo", UserID: "demo",
			MessageID: core.MessageID("showcase-" + string(rune('a'+i)))}
		stream(ctx, a, env, r, 0)
	}
}

// echo answers a typed message by quoting it back, and files the turn in h.
func echo(ctx context.Context, a *web.Adapter, h *history, env core.Envelope) {
	r := core.Reply{Route: core.RouteModel, Provider: "demo", Model: "echo",
		Text: "You said:\n\n- **" + strings.ReplaceAll(env.Text, "\n", " ") + "**"}
	stream(ctx, a, env, r, 30*time.Millisecond)
	now := time.Now()
	_ = h.Complete(ctx, core.Turn{Envelope: env,
		User:  core.Message{Role: core.RoleUser, Text: env.Text, At: env.Received},
		Reply: core.Message{Role: core.RoleAssistant, Text: r.Text, At: now, Route: r.Route, Provider: r.Provider, Model: r.Model}})
}

// stream sends r word by word, pausing between words.
func stream(ctx context.Context, a *web.Adapter, env core.Envelope, r core.Reply, pause time.Duration) {
	w, err := a.Reply(ctx, env)
	if err != nil {
		log.Print(err)
		return
	}
	words := strings.SplitAfter(r.Text, " ")
	for i := range words {
		_ = w.Update(ctx, strings.Join(words[:i+1], ""))
		time.Sleep(pause)
	}
	_ = w.Finish(ctx, r)
}

func seed(h *history) {
	at := time.Now().Add(-time.Hour)
	env := core.Envelope{Platform: web.Platform, ChatID: "demo", UserID: "demo"}
	conv := env.Conversation()
	h.convs[conv] = []core.Message{
		{Role: core.RoleUser, Text: "What can you do?", At: at},
		{Role: core.RoleAssistant, Text: "I answer questions from our **FAQ** and, when it has no answer, ask a language model.", At: at},
		{Role: core.RoleUser, Text: "How do I run you?", At: at},
	}
}

// history is an in-memory core.History.
type history struct {
	mu    sync.Mutex
	convs map[core.ConversationKey][]core.Message
}

func (h *history) Recent(_ context.Context, conv core.ConversationKey, limit int) ([]core.Message, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	msgs := h.convs[conv]
	if len(msgs) > limit {
		msgs = msgs[len(msgs)-limit:]
	}
	return append([]core.Message(nil), msgs...), nil
}

func (h *history) Complete(_ context.Context, t core.Turn) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	k := t.Envelope.Conversation()
	h.convs[k] = append(h.convs[k], t.User, t.Reply)
	return nil
}

func (h *history) Reset(_ context.Context, conv core.ConversationKey) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.convs, conv)
	return nil
}
