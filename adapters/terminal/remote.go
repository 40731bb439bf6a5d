package terminal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"imbot/core"
	"imbot/core/kit"
)

// The remote protocol: `imbot chat` posts one message as JSON
// ({"session","id","text"}) to a running daemon, which answers with JSON
// lines: {"update":"text so far"} while the reply streams, then
// {"final":{"text","route","provider","model"}}.

// remoteMessage is the body of one remote turn.
type remoteMessage struct {
	Session string `json:"session"`
	ID      string `json:"id"`
	Text    string `json:"text"`
}

// remoteEvent is one line of a remote turn's answer.
type remoteEvent struct {
	Update string       `json:"update,omitempty"`
	Final  *remoteReply `json:"final,omitempty"`
}

type remoteReply struct {
	Text     string `json:"text"`
	Route    string `json:"route"`
	Provider string `json:"provider,omitempty"`
	Model    string `json:"model,omitempty"`
}

// Limits of a remote turn on the daemon's side.
const (
	maxRemoteBody     = 2 * maxLineBytes
	remoteBodyTimeout = 10 * time.Second
	remoteTurnTimeout = 10 * time.Minute
)

// Remote is the terminal platform inside a running daemon: it takes turns
// from `imbot chat` over HTTP (ServeHTTP, mounted behind the admin guard)
// into the same conversations a local `imbot chat` holds. It is a
// core.Adapter; its methods may be called from any goroutine.
type Remote struct {
	started chan struct{} // closed once Run has the dispatcher's deliver
	once    sync.Once
	mu      sync.Mutex
	deliver core.DeliverFunc
	waiting map[core.MessageID]*remoteTurn
}

var _ core.Adapter = (*Remote)(nil)

// NewRemote returns the daemon's terminal platform. It starts nothing.
func NewRemote() *Remote {
	return &Remote{started: make(chan struct{}), waiting: map[core.MessageID]*remoteTurn{}}
}

// Name implements core.Adapter.
func (r *Remote) Name() core.Platform { return Platform }

// Run takes turns until ctx ends.
func (r *Remote) Run(ctx context.Context, deliver core.DeliverFunc) error {
	r.mu.Lock()
	r.deliver = deliver
	r.mu.Unlock()
	r.once.Do(func() { close(r.started) })
	<-ctx.Done()
	r.mu.Lock()
	r.deliver = nil
	r.mu.Unlock()
	return nil
}

// Reply implements core.Adapter: the writer streams to the request waiting
// for env, or discards the reply when none waits (a turn replayed after a
// restart; it is in the history all the same).
func (r *Remote) Reply(_ context.Context, env core.Envelope) (core.ReplyWriter, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if t := r.waiting[env.MessageID]; t != nil {
		return t, nil
	}
	return &remoteTurn{updated: make(chan struct{}, 1), final: make(chan core.Reply, 1)}, nil
}

// ServeHTTP runs one remote turn: it delivers the posted message and
// streams its reply as JSON lines.
func (r *Remote) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := kit.ReadBody(w, req, maxRemoteBody, remoteBodyTimeout)
	if err != nil {
		http.Error(w, err.Error(), kit.BodyStatus(err))
		return
	}
	var m remoteMessage
	if err := json.Unmarshal(body, &m); err != nil || m.Session == "" || m.ID == "" {
		http.Error(w, "want a JSON object with session, id and text", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(req.Context(), remoteTurnTimeout)
	defer cancel()
	select { // a request may come while the daemon is still starting
	case <-r.started:
	case <-ctx.Done():
	}
	id := core.MessageID(m.ID)
	t, deliver := r.wait(id)
	defer r.forget(id)
	if deliver == nil {
		http.Error(w, "the daemon is not running its dispatcher", http.StatusServiceUnavailable)
		return
	}
	env := core.Envelope{Platform: Platform, ChatID: core.ChatID(m.Session), ChatKind: core.ChatDirect,
		UserID: localUser, MessageID: id, Text: m.Text}
	if err := deliver(ctx, env); err != nil {
		http.Error(w, "message not accepted: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	t.stream(ctx, w)
}

// wait registers a turn for id and returns it with the dispatcher's
// deliver (nil when not running).
func (r *Remote) wait(id core.MessageID) (*remoteTurn, core.DeliverFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := &remoteTurn{updated: make(chan struct{}, 1), final: make(chan core.Reply, 1)}
	r.waiting[id] = t
	return t, r.deliver
}

func (r *Remote) forget(id core.MessageID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.waiting, id)
}

// remoteTurn is the writer of one remote turn and what its request waits
// on. Updates are coalesced: the request sends the newest text.
type remoteTurn struct {
	mu      sync.Mutex
	text    string
	updated chan struct{}
	final   chan core.Reply
}

// Update implements core.ReplyWriter; it never blocks.
func (t *remoteTurn) Update(_ context.Context, text string) error {
	t.mu.Lock()
	t.text = text
	t.mu.Unlock()
	select {
	case t.updated <- struct{}{}:
	default:
	}
	return nil
}

// Finish implements core.ReplyWriter; it never blocks.
func (t *remoteTurn) Finish(_ context.Context, reply core.Reply) error {
	select {
	case t.final <- reply:
	default:
	}
	return nil
}

// stream writes the turn's updates and final reply as JSON lines until the
// reply is final or ctx ends.
func (t *remoteTurn) stream(ctx context.Context, w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	enc := json.NewEncoder(w)
	for {
		var ev remoteEvent
		select {
		case <-ctx.Done():
			return
		case <-t.updated:
			t.mu.Lock()
			ev.Update = t.text
			t.mu.Unlock()
		case r := <-t.final:
			ev.Final = &remoteReply{Text: r.Text, Route: string(r.Route), Provider: r.Provider, Model: r.Model}
		}
		if enc.Encode(ev) != nil || rc.Flush() != nil || ev.Final != nil {
			return
		}
	}
}

// PostFunc sends one remote turn's body to the running daemon and returns
// its answer's body.
type PostFunc func(ctx context.Context, body io.Reader) (io.ReadCloser, error)

// RemoteDeliver returns the DeliverFunc with which a's Run talks to a
// running daemon: each message goes out through post, and its reply is
// shown through a's writer as it streams back.
func RemoteDeliver(a *Adapter, post PostFunc) core.DeliverFunc {
	return func(ctx context.Context, env core.Envelope) error {
		body, err := json.Marshal(remoteMessage{Session: string(env.ChatID), ID: string(env.MessageID), Text: env.Text})
		if err != nil {
			return err
		}
		rc, err := post(ctx, bytes.NewReader(body))
		if err != nil {
			return err
		}
		defer rc.Close()
		return showRemote(ctx, json.NewDecoder(rc), &writer{a: a})
	}
}

// showRemote shows the events of a remote turn through w until the final
// reply.
func showRemote(ctx context.Context, dec *json.Decoder, w *writer) error {
	for {
		var ev remoteEvent
		if err := dec.Decode(&ev); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("terminal: the daemon's reply: %w", err)
		}
		if ev.Final != nil {
			f := ev.Final
			return w.Finish(ctx, core.Reply{Text: f.Text, Route: core.Route(f.Route), Provider: f.Provider, Model: f.Model})
		}
		if err := w.Update(ctx, ev.Update); err != nil {
			return err
		}
	}
}
