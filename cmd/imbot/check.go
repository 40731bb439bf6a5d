package main

import (
	"fmt"
	"io"
	"strings"
)

// runCheck is `imbot check [-config FILE]`: load and validate the
// configuration and say what would run.
func runCheck(args []string, stdout, stderr io.Writer) error {
	c := newCommand("check", stderr)
	cfg, err := c.load(args)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "config %s is valid\n", displayPath(*c.configPath))
	fmt.Fprintf(stdout, "  listen     %s\n  store      %s\n", cfg.Server.Listen, cfg.Store.Path)
	for _, p := range cfg.Providers {
		fmt.Fprintf(stdout, "  provider   %s: %s at %s (third_party=%v)\n", p.Name, p.Model, p.BaseURL, p.ThirdParty)
	}
	fmt.Fprintf(stdout, "  general    %s\n", strings.Join(cfg.Router.General, " → "))
	if len(cfg.Router.Business) > 0 {
		fmt.Fprintf(stdout, "  business   %s\n", strings.Join(cfg.Router.Business, " → "))
	}
	a := cfg.Adapters
	fmt.Fprintf(stdout, "  adapters   web=%v telegram=%v feishu=%v\n", a.Web.Enabled, a.Telegram.Enabled, a.Feishu.Enabled)
	return nil
}
