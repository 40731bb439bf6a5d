package main

import (
	"context"
	"errors"
	"io"
	"os/signal"
	"syscall"

	"imbot/adapters/terminal"
	"imbot/core"
)

// runChat is `imbot chat [-config FILE] [-session NAME]`: the same core and
// store as serve, talking to this terminal instead of the network.
func runChat(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs, configPath := commandFlags("chat", stderr)
	session := fs.String("session", "default", "conversation name; the same name continues the same history")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*configPath, envLookup)
	if err != nil {
		return err
	}
	cfg.Server.LogLevel = "warn"
	log, err := newLogger(cfg.Server, stderr)
	if err != nil {
		return err
	}
	term, err := terminal.New(core.ChatID(*session), stdin, stdout, terminal.WithVersion(version))
	if err != nil {
		return err
	}
	d, err := newDaemon(cfg, log, false)
	if err != nil {
		return err
	}
	defer d.close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	d.adapters = []core.Adapter{term}
	if err := d.dispatcher.Run(ctx, term); !errors.Is(err, terminal.ErrInputClosed) {
		return err
	}
	return nil
}
