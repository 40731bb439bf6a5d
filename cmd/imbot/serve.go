package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"imbot/core/safety/pii"
	"imbot/logredact"
	"imbot/sdnotify"
)

// envLookup reads the process environment.
func envLookup(name string) string { return os.Getenv(name) }

// runServe is `imbot serve [-config FILE]`.
func runServe(args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	c := newCommand("serve", stderr)
	cfg, err := c.load(args)
	if err != nil {
		return err
	}
	d, err := openDaemon(cfg, stderr, true)
	if err != nil {
		return err
	}
	defer d.closeLogged()
	log := d.log
	for _, w := range cfg.Warnings {
		log.Warn("config: " + w)
	}
	logProviderHint(log, cfg, envLookup)
	for _, note := range cfg.Notes {
		log.Warn("config: " + note)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	notify := sdnotify.New()
	var background sync.WaitGroup
	defer background.Wait()
	background.Go(func() { watchReload(ctx, d, *c.configPath) })
	background.Go(func() { d.watchModels(ctx, log.With("component", "warmup"), warmUpRetry) })
	background.Go(func() {
		if err := notify.Watchdog(ctx, d.dispatcher.Alive); err != nil {
			log.Error("systemd watchdog", "err", err)
		}
	})
	background.Go(func() {
		<-ctx.Done()
		logNotifyErr(log, notify.Stopping())
	})
	err = d.run(ctx, func(addr net.Addr) {
		log.Info("imbot ready", "version", version, "listen", addr.String(), "url", "http://"+addr.String()+"/",
			"startup_ms", time.Since(start).Milliseconds(), "store", cfg.Store.Path, "general_chain", strings.Join(cfg.Router.General, ","))
		background.Go(func() { releaseStartGarbage(ctx) })
		logNotifyErr(log, notify.Ready())
		logNotifyErr(log, notify.Status("serving on "+addr.String()))
	})
	stop()
	log.Info("imbot stopped")
	return err
}

// startSettle is how long after it is ready the daemon hands the memory
// its start-up left behind back to the system: by then the first requests
// and the providers' warm-up are done.
const startSettle = 2 * time.Second

// releaseStartGarbage returns the start-up's garbage (index building,
// config and catalogue parsing) to the system once, startSettle after the
// daemon is ready, so that an idle daemon's resident set is what it holds.
func releaseStartGarbage(ctx context.Context) {
	t := time.NewTimer(startSettle)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
		debug.FreeOSMemory()
	}
}

// openDaemon builds the daemon for cfg with the logger [server] asks for,
// writing to stderr.
func openDaemon(cfg Config, stderr io.Writer, withAdapters bool) (*daemon, error) {
	level := new(slog.LevelVar)
	log, err := newLogger(cfg, level, stderr)
	if err != nil {
		return nil, err
	}
	d, err := newDaemon(cfg, log, withAdapters)
	if err != nil {
		return nil, err
	}
	d.level = level
	return d, nil
}

// logNotifyErr logs a failed message to systemd; the daemon runs on.
func logNotifyErr(log *slog.Logger, err error) {
	if err != nil {
		log.Warn("systemd notify", "err", err)
	}
}

// watchReload reloads on SIGHUP until ctx ends.
func watchReload(ctx context.Context, d *daemon, configPath string) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			d.reload(ctx, configPath)
		}
	}
}

// newLogger builds the process logger from [server] log_level and
// log_format, with its level in level, where a reload changes it, behind
// the redaction layer: secrets of cfg never appear, and message text only
// at debug level.
func newLogger(cfg Config, level *slog.LevelVar, w io.Writer) (*slog.Logger, error) {
	l, err := parseLogLevel(cfg.Server.LogLevel)
	if err != nil {
		return nil, err
	}
	level.Set(l)
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.Server.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	masker, err := pii.New(cfg.Safety.PIIPatterns)
	if err != nil {
		return nil, err
	}
	red, err := logredact.New(h, masker, cfg.secrets()...)
	if err != nil {
		return nil, err
	}
	return slog.New(red), nil
}

func parseLogLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("want debug, info, warn or error, got %q", s)
	}
	return l, nil
}
