package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/chzyer/readline"

	"imbot/adapters/terminal"
	"imbot/admin"
	"imbot/check"
	"imbot/core"
	"imbot/store"
)

// runChat is `imbot chat [-config FILE] [-session NAME] [-log FILE]`: a
// conversation in this terminal. When a daemon holds the store, the turns go
// to it over its admin API; otherwise the same core and store run here.
func runChat(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	c := newCommand("chat", stderr)
	session := c.String("session", "default", "conversation name; the same name continues the same history")
	logPath := c.String("log", "", "write logs to this file (default: warnings only, to standard error)")
	cfg, err := c.load(args)
	if err != nil {
		return err
	}
	in, err := openChatInput(stdin, stdout, stderr)
	if err != nil {
		return err
	}
	defer in.close()
	logOut, closeLog, err := chatLog(&cfg, *logPath, in.stderr)
	if err != nil {
		return err
	}
	defer closeLog()
	opts := []terminal.Option{terminal.WithVersion(version)}
	if in.lines != nil {
		opts = append(opts, terminal.WithLineReader(in.lines))
	}
	term, err := terminal.New(core.ChatID(*session), stdin, in.stdout, opts...)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	held, err := storeHeld(cfg)
	if err != nil {
		return err
	}
	if held {
		err = term.Run(ctx, terminal.RemoteDeliver(term, admin.NewClient(cfg.Server.admin()).Chat))
	} else {
		err = chatLocally(ctx, cfg, term, logOut)
	}
	if errors.Is(err, terminal.ErrInputClosed) {
		return nil
	}
	return err
}

// chatLocally runs the core and the store in this process for term.
func chatLocally(ctx context.Context, cfg Config, term *terminal.Adapter, logOut io.Writer) error {
	d, err := openDaemon(cfg, logOut, false)
	if err != nil {
		return err
	}
	defer d.closeLogged()
	return d.dispatcher.Run(ctx, term)
}

// storeHeld reports whether a running daemon holds the store: the bbolt
// file's lock, or, for a PostgreSQL store shared by replicas, a daemon
// answers on the configured listen address.
func storeHeld(cfg Config) (bool, error) {
	if cfg.Store.Backend == store.BackendPostgres {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		return check.DaemonAnswers(ctx, cfg.Server.Listen), nil
	}
	sc := cfg.Store
	sc.LockTimeout = 300 * time.Millisecond
	st, err := store.Open(sc)
	if errors.Is(err, store.ErrLocked) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return false, st.Close()
}

// chatLog returns where the chat's logs go: the file at path (at the
// configured level), else errOut at warn level, so that logs never come
// between the lines of the conversation.
func chatLog(cfg *Config, path string, errOut io.Writer) (io.Writer, func(), error) {
	if path == "" {
		cfg.Server.LogLevel = "warn"
		return errOut, func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("chat: log file: %w", err)
	}
	return f, func() { _ = f.Close() }, nil
}

// chatInput is the terminal's line editor, when stdin is a terminal, with
// the writers that keep its prompt intact.
type chatInput struct {
	lines          terminal.LineReader
	stdout, stderr io.Writer
	close          func()
}

// openChatInput opens readline with a history file in the user's cache
// directory when stdin is a terminal; otherwise lines are read plainly.
func openChatInput(stdin io.Reader, stdout, stderr io.Writer) (chatInput, error) {
	f, ok := stdin.(*os.File)
	if !ok || !readline.IsTerminal(int(f.Fd())) {
		return chatInput{stdout: stdout, stderr: stderr, close: func() {}}, nil
	}
	rl, err := readline.NewEx(&readline.Config{Prompt: "> ", HistoryFile: chatHistoryFile(), Stdin: f,
		Stdout: stdout, Stderr: stderr})
	if err != nil {
		return chatInput{}, fmt.Errorf("chat: line editor: %w", err)
	}
	return chatInput{lines: rl, stdout: rl.Stdout(), stderr: rl.Stderr(), close: func() { _ = rl.Close() }}, nil
}

// chatHistoryFile is where the line editor keeps what was typed; "" (no
// history file) when there is no user cache directory.
func chatHistoryFile() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	dir = filepath.Join(dir, "imbot")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	return filepath.Join(dir, "chat_history")
}
