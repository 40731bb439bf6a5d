package main

import (
	"context"
	"errors"
	"io"
	"os"

	"imbot/onboard"
)

// runOnboard is `imbot onboard [-config FILE] [-env FILE] [-offline]`: the
// first-run wizard. Answers come from in, a terminal or a pipe.
func runOnboard(args []string, in io.Reader, stdout, stderr io.Writer) error {
	c := newCommand("onboard", stderr)
	env := c.String("env", "", "env file for the secrets (default: env beside the config)")
	offline := c.Bool("offline", false, "skip the live checks of credentials")
	if err := c.Parse(args); err != nil {
		return err
	}
	path := *c.configPath
	if path == "" {
		path = "config.toml"
	}
	o := onboard.Options{In: in, Out: stdout, ConfigPath: path, EnvPath: *env, Offline: *offline,
		DefaultLang: onboard.LangFromEnv(locale(envLookup))}
	if f, ok := in.(*os.File); ok {
		o.Secret = onboard.TerminalSecret(f)
	}
	err := onboard.Run(context.Background(), o)
	if errors.Is(err, onboard.ErrKept) {
		return nil
	}
	return err
}

// locale is the message locale: LC_ALL, LC_MESSAGES or LANG, the first set.
func locale(getenv func(string) string) string {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if l := getenv(v); l != "" {
			return l
		}
	}
	return ""
}
