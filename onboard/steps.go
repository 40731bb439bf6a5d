package onboard

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"imbot/adapters/feishu"
	"imbot/adapters/telegram"
	"imbot/check"
	"imbot/provider/openai"
)

// Secret variables the wizard writes.
const (
	telegramTokenEnv = "TELEGRAM_BOT_TOKEN"
	feishuSecretEnv  = "FEISHU_APP_SECRET"
)

var (
	telegramTokenRE = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)
	feishuAppIDRE   = regexp.MustCompile(`^cli_[A-Za-z0-9]+$`)
)

// server asks for the listen address and places the store.
func (w *wizard) server(context.Context) error {
	listen, err := w.a.ask(msgListen, "127.0.0.1:8080", func(s string) string {
		_, port, err := net.SplitHostPort(s)
		if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 1 || n > 65535 {
			return text(w.a.lang, msgBadListen)
		}
		return ""
	})
	w.file.Server.Listen = listen
	w.file.Store.Path = storePath(w.ConfigPath)
	return err
}

// storePath is the store file for a configuration at configPath: for the
// service's configuration, data/ in its working folder (the state folder),
// else data/ beside the configuration.
func storePath(configPath string) string {
	abs, err := filepath.Abs(configPath)
	if err != nil {
		return filepath.Join("data", "imbot.db")
	}
	if strings.HasPrefix(abs, "/etc/imbot/") {
		return filepath.Join("data", "imbot.db")
	}
	return filepath.Join(filepath.Dir(abs), "data", "imbot.db")
}

// web asks whether to serve the web chat.
func (w *wizard) web(context.Context) error {
	on, err := w.a.yes(msgWeb, true)
	w.file.Adapters.Web.Enabled = on
	return err
}

// telegram asks for the bot token and checks it with getMe.
func (w *wizard) telegram(ctx context.Context) error {
	if on, err := w.a.yes(msgTelegram, false); err != nil || !on {
		return err
	}
	cfg := telegram.DefaultConfig()
	cfg.Enabled = true
	if w.TelegramAPIURL != "" {
		cfg.APIURL = w.TelegramAPIURL
	}
	for keep := false; !keep; {
		tok, err := w.a.askSecret(msgTelegramToken, false, func(s string) string {
			if !telegramTokenRE.MatchString(s) {
				return text(w.a.lang, msgBadTelegramToken)
			}
			return ""
		})
		if err != nil {
			return err
		}
		cfg.Token = tok
		if keep, err = w.verify(ctx, check.Telegram(cfg)); err != nil {
			return err
		}
	}
	w.secrets[telegramTokenEnv] = cfg.Token
	w.file.Adapters.Telegram = &fileTelegram{Enabled: true, TokenEnv: telegramTokenEnv, APIURL: w.TelegramAPIURL}
	return nil
}

// feishu asks for the app id and secret and checks them with a tenant token.
func (w *wizard) feishu(ctx context.Context) error {
	if on, err := w.a.yes(msgFeishu, false); err != nil || !on {
		return err
	}
	cfg := feishu.DefaultConfig()
	cfg.Enabled = true
	base, err := w.feishuBaseURL()
	if err != nil {
		return err
	}
	if base != "" {
		cfg.BaseURL = base
	}
	for keep := false; !keep; {
		id, err := w.a.ask(msgFeishuAppID, "", func(s string) string {
			if !feishuAppIDRE.MatchString(s) {
				return text(w.a.lang, msgBadFeishuAppID)
			}
			return ""
		})
		if err != nil {
			return err
		}
		secret, err := w.a.askSecret(msgFeishuSecret, false, noCheck)
		if err != nil {
			return err
		}
		cfg.AppID, cfg.AppSecret = id, secret
		if keep, err = w.verify(ctx, check.Feishu(cfg)); err != nil {
			return err
		}
	}
	w.secrets[feishuSecretEnv] = cfg.AppSecret
	w.file.Adapters.Feishu = &fileFeishu{Enabled: true, AppID: cfg.AppID, AppSecretEnv: feishuSecretEnv, BaseURL: base}
	return nil
}

// larkBaseURL is the open platform of Lark, Feishu's international edition.
const larkBaseURL = "https://open.larksuite.com"

// feishuBaseURL returns the given API server, or asks Feishu or Lark: ""
// keeps the default (Feishu).
func (w *wizard) feishuBaseURL() (string, error) {
	if w.FeishuBaseURL != "" {
		return w.FeishuBaseURL, nil
	}
	i, err := w.a.choose(msgFeishuRegion, 2, 0)
	if i == 1 {
		return larkBaseURL, err
	}
	return "", err
}

// noCheck accepts any answer.
func noCheck(string) string { return "" }

// providers asks for one provider or more; the first answers first.
func (w *wizard) providers(ctx context.Context) error {
	for more := true; more; {
		p, err := w.provider(ctx)
		if err != nil {
			return err
		}
		w.file.Providers = append(w.file.Providers, p)
		w.file.Router.General = append(w.file.Router.General, p.Name)
		if more, err = w.a.yes(msgAnother, false); err != nil {
			return err
		}
	}
	return nil
}

// provider asks for one provider until its check passes or is waived.
func (w *wizard) provider(ctx context.Context) (fileProvider, error) {
	i, err := w.a.choose(msgProviderChoice, len(presets), 0)
	if err != nil {
		return fileProvider{}, err
	}
	pre := presets[i]
	name := w.uniqueName(pre.name)
	for {
		cfg, err := w.askProvider(pre, name)
		if err != nil {
			return fileProvider{}, err
		}
		keep, err := w.verify(ctx, check.Provider(cfg))
		if err != nil || keep {
			if cfg.APIKeyEnv != "" {
				w.secrets[cfg.APIKeyEnv] = cfg.APIKey
			}
			return fileProvider{Name: name, BaseURL: cfg.BaseURL, Model: cfg.Model, APIKeyEnv: cfg.APIKeyEnv,
				ThirdParty: cfg.ThirdParty}, err
		}
	}
}

// askProvider asks for a provider's URL, model and key.
func (w *wizard) askProvider(pre preset, name string) (openai.Config, error) {
	cfg := openai.DefaultConfig()
	cfg.Name, cfg.ThirdParty = name, pre.thirdParty
	var err error
	if cfg.BaseURL, err = w.a.ask(msgProviderURL, pre.baseURL, w.checkURL); err != nil {
		return cfg, err
	}
	if cfg.Model, err = w.a.ask(msgProviderModel, pre.model, w.required); err != nil {
		return cfg, err
	}
	if pre.keyEnv == "" {
		return cfg, nil
	}
	m := msgProviderKey
	if pre.keyOptional {
		m = msgProviderKeyOptional
	}
	if cfg.APIKey, err = w.a.askSecret(m, pre.keyOptional, noCheck, "name", name); err == nil && cfg.APIKey != "" {
		cfg.APIKeyEnv = envName(name)
	}
	return cfg, err
}

// envName is the variable holding the key of the provider called name.
func envName(name string) string {
	for _, p := range presets {
		if p.name == name && p.keyEnv != "" {
			return p.keyEnv
		}
	}
	return strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(name)) + "_API_KEY"
}

// uniqueName returns base, or base-2, base-3… when taken.
func (w *wizard) uniqueName(base string) string {
	name := base
	for n := 2; w.taken(name); n++ {
		name = fmt.Sprintf("%s-%d", base, n)
	}
	return name
}

// taken reports whether a provider is already called name.
func (w *wizard) taken(name string) bool {
	for _, p := range w.file.Providers {
		if p.Name == name {
			return true
		}
	}
	return false
}

// checkURL accepts an http or https URL with a host.
func (w *wizard) checkURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return text(w.a.lang, msgBadURL)
	}
	return ""
}

// required accepts any answer but an empty one.
func (w *wizard) required(s string) string {
	if s == "" {
		return text(w.a.lang, msgRequired)
	}
	return ""
}
