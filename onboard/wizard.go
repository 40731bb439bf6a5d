// Package onboard is the first-run wizard: it asks which platforms and
// model providers to use, checks each credential live where it can, and
// writes a small configuration file and the env file holding the secrets,
// both mode 0600. It speaks Chinese and English and reads piped answers as
// well as a terminal.
package onboard

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"imbot/check"
)

// Options configure one run of the wizard.
type Options struct {
	// In and Out are the answers and the questions.
	In  io.Reader
	Out io.Writer
	// Secret reads a secret without echoing it; nil reads a line from In.
	Secret func() (string, error)
	// Lang is the language; nil asks, suggesting DefaultLang.
	Lang *Lang
	// DefaultLang is suggested when the wizard asks for the language.
	DefaultLang Lang
	// ConfigPath is the configuration file to write.
	ConfigPath string
	// EnvPath is the env file; "" puts it beside the configuration as "env".
	EnvPath string
	// Offline skips the live checks of credentials.
	Offline bool
	// Timeout bounds each live check; 0 means 15 seconds.
	Timeout time.Duration
	// TelegramAPIURL and FeishuBaseURL point the adapters (and their live
	// checks) at other API servers; "" keeps the public ones.
	TelegramAPIURL, FeishuBaseURL string
}

// ErrKept is returned when the operator chose to keep an existing file.
var ErrKept = errors.New("onboard: kept the existing configuration")

// wizard is one run: its options, its asker and what it learned.
type wizard struct {
	Options
	a       *asker
	file    fileConfig
	secrets map[string]string
}

// Run asks its questions and writes the configuration and env files. It
// returns ErrKept when the configuration exists and the operator keeps it.
func Run(ctx context.Context, o Options) error {
	if o.EnvPath == "" {
		o.EnvPath = filepath.Join(filepath.Dir(o.ConfigPath), "env")
	}
	if o.Timeout == 0 {
		o.Timeout = 15 * time.Second
	}
	w := &wizard{Options: o, a: &asker{in: bufio.NewReader(o.In), out: o.Out, secret: o.Secret}, secrets: map[string]string{}}
	err := w.run(ctx)
	if errors.Is(err, errInputEnded) {
		return fmt.Errorf("onboard: %s", text(w.a.lang, msgInputEnded))
	}
	return err
}

// run is Run's question sequence.
func (w *wizard) run(ctx context.Context) error {
	if err := w.language(); err != nil {
		return err
	}
	w.a.say(msgWelcome, "config", w.ConfigPath, "env", w.EnvPath)
	if keep, err := w.keepExisting(); err != nil || keep {
		return errors.Join(err, keepErr(keep))
	}
	steps := []func(context.Context) error{w.server, w.web, w.telegram, w.feishu, w.providers}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return w.write()
}

// keepErr is ErrKept when keep.
func keepErr(keep bool) error {
	if keep {
		return ErrKept
	}
	return nil
}

// language sets the wizard's language, asking unless it was given.
func (w *wizard) language() error {
	if w.Lang != nil {
		w.a.lang = *w.Lang
		return nil
	}
	w.a.lang = w.DefaultLang
	i, err := w.a.choose(msgLanguage, 2, int(w.DefaultLang))
	w.a.lang = Lang(i)
	return err
}

// keepExisting asks before overwriting a configuration file.
func (w *wizard) keepExisting() (bool, error) {
	if _, err := os.Stat(w.ConfigPath); errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	overwrite, err := w.a.yes(msgExists, false, "config", w.ConfigPath)
	if err == nil && !overwrite {
		w.a.say(msgKeepExisting)
	}
	return !overwrite, err
}

// write writes the env file, then the configuration.
func (w *wizard) write() error {
	data, err := w.file.encode()
	if err != nil {
		return err
	}
	if err := writeEnv(w.EnvPath, w.secrets); err != nil {
		return err
	}
	if err := writePrivate(w.ConfigPath, data); err != nil {
		return err
	}
	w.a.say(msgWrote, "config", w.ConfigPath, "env", w.EnvPath)
	w.a.say(msgNext, "config", w.ConfigPath)
	return nil
}

// verify runs a live check unless offline, printing its line; it reports
// whether to keep the answer (it passed, or the operator keeps it anyway).
func (w *wizard) verify(ctx context.Context, p check.Probe) (bool, error) {
	if w.Offline {
		return true, nil
	}
	w.a.say(msgChecking)
	r := check.Run(ctx, []check.Probe{p}, w.Timeout)[0]
	fmt.Fprintln(w.Out, "  "+r.String())
	if r.OK() {
		return true, nil
	}
	again, err := w.a.yes(msgRetry, true)
	return !again, err
}
