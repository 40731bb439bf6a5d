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
	c := newCommand("chat", stderr)
	session := c.String("session", "default", "conversation name; the same name continues the same history")
	cfg, err := c.load(args)
	if err != nil {
		return err
	}
	cfg.Server.LogLevel = "warn"
	term, err := terminal.New(core.ChatID(*session), stdin, stdout, terminal.WithVersion(version))
	if err != nil {
		return err
	}
	d, err := openDaemon(cfg, stderr, false)
	if err != nil {
		return err
	}
	defer d.closeLogged()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := d.dispatcher.Run(ctx, term); !errors.Is(err, terminal.ErrInputClosed) {
		return err
	}
	return nil
}
