package feishu

import (
	"imbot/core/kit"

	"context"
	"time"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher"
	larkws "github.com/larksuite/oapi-sdk-go/v3/ws"
)

const (
	restartMin   = time.Second
	restartMax   = time.Minute
	closeTimeout = 5 * time.Second
)

// runLongConnection holds Feishu's long connection until ctx ends. Events
// are accepted one at a time per chat, oldest first (see chatOrder). The SDK
// client reconnects by itself; when it gives up (a terminal error), a new
// client is started after a capped exponential backoff, forever.
func (a *Adapter) runLongConnection(ctx context.Context) {
	handler := dispatcher.NewEventDispatcher("", "")
	handler.InitConfig(larkevent.WithLogger(larkLogger{a.log}), larkevent.WithLogLevel(larkcore.LogLevelWarn))
	handler.OnCustomizedEvent(eventMessageReceive, func(ctx context.Context, req *larkevent.EventReq) error {
		e, err := parseEvent(req.Body)
		if err != nil {
			a.log.Warn("feishu event undecodable; acknowledged and dropped", "err", err)
			return nil
		}
		return a.order.do(ctx, e, func() error { return a.accept(ctx, e) })
	})
	handler.OnCustomizedEvent(eventCardAction, func(ctx context.Context, req *larkevent.EventReq) error {
		if e, err := parseEvent(req.Body); err == nil {
			a.cardAction(ctx, e) // the long connection carries no toast back
		}
		return nil
	})
	restart := kit.Backoff{Base: restartMin, Max: restartMax}
	attempt := 0
	for {
		started := a.now()
		err := a.holdConnection(ctx, handler)
		a.connected.Store(false)
		if ctx.Err() != nil {
			return
		}
		if a.now().Sub(started) > restartMax {
			attempt = 0
		}
		wait := restart.Equal(attempt)
		attempt++
		a.metrics.reconnects.Inc()
		a.log.Warn("feishu long connection ended; restarting", "err", err, "retry_in", wait.String())
		if kit.Sleep(ctx, wait) != nil {
			return
		}
	}
}

// holdConnection runs one SDK client until it stops, and closes it.
func (a *Adapter) holdConnection(ctx context.Context, handler *dispatcher.EventDispatcher) error {
	log := a.log
	cli := larkws.NewClient(a.cfg.AppID, a.cfg.AppSecret,
		larkws.WithEventHandler(handler),
		larkws.WithDomain(a.cfg.BaseURL),
		larkws.WithHttpClient(a.hc),
		larkws.WithLogger(larkLogger{log}),
		larkws.WithLogLevel(larkcore.LogLevelWarn),
		larkws.WithOnReady(func() {
			a.connected.Store(true)
			log.Info("feishu long connection ready")
		}),
		larkws.WithOnReconnecting(func() {
			a.connected.Store(false)
			a.metrics.reconnects.Inc()
			log.Warn("feishu long connection lost; reconnecting")
		}),
		larkws.WithOnReconnected(func() {
			a.connected.Store(true)
			log.Info("feishu long connection reconnected")
		}),
		larkws.WithOnDisconnected(func() {
			a.connected.Store(false)
			log.Info("feishu long connection closed")
		}),
		larkws.WithOnError(func(err error) { log.Warn("feishu long connection error", "err", err) }),
	)
	err := cli.Start(ctx)
	closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
	defer cancel()
	if cerr := cli.CloseAndWait(closeCtx); err == nil {
		err = cerr
	}
	return err
}
