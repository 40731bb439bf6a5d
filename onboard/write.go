package onboard

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"

	"imbot/envfile"
)

// fileConfig is the part of the configuration the wizard writes; every
// other key keeps its default (config.toml.example lists them all).
type fileConfig struct {
	Server    fileServer     `toml:"server"`
	Store     fileStore      `toml:"store"`
	Providers []fileProvider `toml:"providers"`
	Router    fileRouter     `toml:"router"`
	Adapters  fileAdapters   `toml:"adapters"`
}

type fileServer struct {
	Listen string `toml:"listen"`
}

type fileStore struct {
	Path string `toml:"path"`
}

type fileProvider struct {
	Name       string `toml:"name"`
	BaseURL    string `toml:"base_url"`
	Model      string `toml:"model"`
	APIKeyEnv  string `toml:"api_key_env,omitempty"`
	ThirdParty bool   `toml:"third_party"`
}

type fileRouter struct {
	General []string `toml:"general"`
}

type fileAdapters struct {
	Web      fileWeb       `toml:"web"`
	Telegram *fileTelegram `toml:"telegram,omitempty"`
	Feishu   *fileFeishu   `toml:"feishu,omitempty"`
}

type fileWeb struct {
	Enabled bool `toml:"enabled"`
}

type fileTelegram struct {
	Enabled  bool   `toml:"enabled"`
	TokenEnv string `toml:"token_env"`
	APIURL   string `toml:"api_url,omitempty"`
}

type fileFeishu struct {
	Enabled      bool   `toml:"enabled"`
	AppID        string `toml:"app_id"`
	AppSecretEnv string `toml:"app_secret_env"`
	BaseURL      string `toml:"base_url,omitempty"`
}

// header starts the written configuration.
const header = `# Written by "imbot onboard". config.toml.example documents every key.
# Secrets are not in this file: each *_env key names a variable of the env
# file beside it (NAME=value lines, mode 0600).

`

// encode returns the configuration file's text.
func (f fileConfig) encode() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(header)
	enc := toml.NewEncoder(&b)
	enc.Indent = ""
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("onboard: encode config: %w", err)
	}
	return b.Bytes(), nil
}

// writeEnv merges secrets into the env file at path (keeping the other
// variables it holds) and writes it with mode 0600.
func writeEnv(path string, secrets map[string]string) error {
	vars := map[string]string{}
	old, err := os.ReadFile(path)
	switch {
	case err == nil:
		if vars, err = envfile.Parse(string(old)); err != nil {
			return fmt.Errorf("onboard: %s: %w", path, err)
		}
	case !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("onboard: %w", err)
	}
	for k, v := range secrets {
		vars[k] = v
	}
	text, err := envfile.Format(vars)
	if err != nil {
		return fmt.Errorf("onboard: %w", err)
	}
	return writePrivate(path, []byte(text))
}

// writePrivate writes data to path with mode 0600 through a temporary file
// renamed into place, creating the folder (0700) when missing.
func writePrivate(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("onboard: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("onboard: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("onboard: write %s: %w", path, err)
	}
	return nil
}
