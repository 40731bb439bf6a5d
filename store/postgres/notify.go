package postgres

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"imbot/core"
	"imbot/core/kit"
)

// Notification channels (LISTEN/NOTIFY) between replicas.
const (
	// channelHandover carries "<holder>\n<hex conversation>": a replica
	// accepted a message for a conversation holder runs, or gave up a
	// conversation while turns of it were pinned to holder.
	channelHandover = "imbot_handover"
	// channelKnowledge carries the id of a replica that changed the
	// knowledge base.
	channelKnowledge = "imbot_knowledge"
)

// listenBackoff spaces the reconnections of the listening connection.
var listenBackoff = kit.Backoff{Base: 200 * time.Millisecond, Max: 10 * time.Second}

// listener holds the connection that listens for the other replicas'
// signals, reconnecting with backoff whenever it drops. Signals are passed
// on without blocking: one lost while a channel is full or the connection
// is down is made up for by the renewal's poll (handovers) or by the
// reload signal every reconnection sends (knowledge).
type listener struct {
	cfg       *pgx.ConnConfig
	id        string
	log       *slog.Logger
	handovers chan core.ConversationKey
	knowledge chan struct{}
	// connected is signalled at every (re)connection, for tests.
	connected chan struct{}
	cancel    context.CancelFunc
	done      chan struct{}
}

// startListener starts listening for replica id on a connection made from
// a copy of cfg.
func startListener(cfg *pgx.ConnConfig, id string, log *slog.Logger) *listener {
	cfg = cfg.Copy()
	cfg.RuntimeParams["application_name"] = "imbot-listen"
	ctx, cancel := context.WithCancel(context.Background())
	l := &listener{cfg: cfg, id: id, log: log, cancel: cancel, done: make(chan struct{}),
		handovers: make(chan core.ConversationKey, 256), knowledge: make(chan struct{}, 1),
		connected: make(chan struct{}, 1)}
	go l.run(ctx)
	return l
}

// stop ends listening and waits for it.
func (l *listener) stop() {
	l.cancel()
	<-l.done
}

// run listens until ctx ends, reconnecting after every failure.
func (l *listener) run(ctx context.Context) {
	defer close(l.done)
	for attempt, first := 0, true; ; attempt++ {
		err := l.session(ctx, func() {
			attempt = 0
			if !first {
				signal(l.knowledge) // a change may have been announced while disconnected
			}
			first = false
		})
		if ctx.Err() != nil {
			return
		}
		l.log.Warn("replica signals: listening connection lost; reconnecting", "err", err, "attempt", attempt+1)
		if kit.Sleep(ctx, listenBackoff.Full(attempt)) != nil {
			return
		}
	}
}

// session connects, listens and passes signals on until the connection
// fails or ctx ends.
func (l *listener) session(ctx context.Context, connected func()) error {
	conn, err := pgx.ConnectConfig(ctx, l.cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, ch := range []string{channelHandover, channelKnowledge} {
		if _, err := conn.Exec(ctx, "LISTEN "+ch); err != nil {
			return err
		}
	}
	connected()
	signal(l.connected)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		l.pass(n)
	}
}

// pass hands one notification to its channel.
func (l *listener) pass(n *pgconn.Notification) {
	switch n.Channel {
	case channelKnowledge:
		if n.Payload != l.id {
			signal(l.knowledge)
		}
	case channelHandover:
		holder, conv, err := parseHandover(n.Payload)
		if err != nil {
			l.log.Warn("unreadable handover signal ignored", "err", err)
			return
		}
		if holder != l.id {
			return
		}
		select {
		case l.handovers <- conv:
		default: // the renewal's poll finds the turns
		}
	}
}

// signal sends on a one-slot channel without blocking.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// handoverPayload is the NOTIFY payload asking holder to adopt conv.
func handoverPayload(holder string, conv []byte) string {
	return holder + "\n" + hex.EncodeToString(conv)
}

// parseHandover reverses handoverPayload.
func parseHandover(payload string) (string, core.ConversationKey, error) {
	holder, h, ok := strings.Cut(payload, "\n")
	if !ok {
		return "", core.ConversationKey{}, errors.New("no conversation")
	}
	raw, err := hex.DecodeString(h)
	if err != nil {
		return "", core.ConversationKey{}, err
	}
	conv, err := core.ParseConversationKey(string(raw))
	return holder, conv, err
}

// handOver tells holder, by NOTIFY through q, that a message of conv waits
// for it (inside a transaction, when it commits).
func (c *Cluster) handOver(ctx context.Context, q dbtx, holder string, conv []byte) error {
	_, err := q.Exec(ctx, `SELECT pg_notify($1, $2)`, channelHandover, handoverPayload(holder, conv))
	return wrap("hand over", err)
}

// AnnounceKnowledge tells every other replica that the knowledge base
// changed (a /faq add, a reload), so that each reloads its own.
func (c *Cluster) AnnounceKnowledge(ctx context.Context) error {
	_, err := c.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, channelKnowledge, c.id)
	if err != nil {
		return fmt.Errorf("postgres: announce knowledge change: %w", err)
	}
	return nil
}

// KnowledgeChanges signals when another replica changed the knowledge
// base, or may have while the listening connection was down.
func (c *Cluster) KnowledgeChanges() <-chan struct{} { return c.listen.knowledge }
