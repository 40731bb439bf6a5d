package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"imbot/envfile"
	"imbot/provider/openai"
)

// envFileName is the secrets file looked for beside the configuration.
const envFileName = "env"

// maxEnvFileBytes bounds the secrets file.
const maxEnvFileBytes = 64 << 10

// openaiVars are the variables of the provider taken from the environment.
var openaiVars = [...]string{"OPENAI_BASE_URL", "OPENAI_API_KEY", "OPENAI_MODEL"}

// envFilePath is the secrets file beside the configuration at configPath.
func envFilePath(configPath string) string {
	return filepath.Join(filepath.Dir(configPath), envFileName)
}

// withEnvFile returns a lookup that reads getenv first and then the env
// file beside the configuration, as systemd's EnvironmentFile= would have
// set it, with a note when that file exists but cannot be read.
func withEnvFile(configPath string, getenv func(string) string) (func(string) string, []string) {
	if configPath == "" {
		return getenv, nil
	}
	path := envFilePath(configPath)
	data, err := readLimited(path, maxEnvFileBytes)
	if errors.Is(err, os.ErrNotExist) {
		return getenv, nil
	}
	var vars map[string]string
	if err == nil {
		vars, err = envfile.Parse(string(data))
	}
	if err != nil {
		return getenv, []string{fmt.Sprintf("env file %s not used: %v", path, err)}
	}
	return func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return vars[name]
	}, nil
}

// envProvider is the provider used when the file configures none: the
// OPENAI_* variables' when OPENAI_BASE_URL is set (a key is optional, for
// local servers), else a local Ollama.
func envProvider(getenv func(string) string) openai.Config {
	p := openai.DefaultConfig()
	p.Name, p.BaseURL, p.Model = "local", "http://127.0.0.1:11434/v1", "qwen2.5:3b"
	if u := getenv("OPENAI_BASE_URL"); u != "" {
		p.Name, p.BaseURL, p.Model, p.ThirdParty = "openai", u, "gpt-4o-mini", !openai.LocalURL(u)
		if getenv("OPENAI_API_KEY") != "" || getenv("OPENAI_API_KEY_FILE") != "" {
			p.APIKeyEnv = "OPENAI_API_KEY"
		}
	}
	if m := getenv("OPENAI_MODEL"); m != "" {
		p.Model = m
	}
	return p
}

// unusedProviderVars says which OPENAI_* variables are set but unused —
// all of them when the file defines [[providers]], OPENAI_API_KEY without
// OPENAI_BASE_URL otherwise — and which providers are in use.
func unusedProviderVars(providers []openai.Config, fileProviders bool, getenv func(string) string) []string {
	set := func(v string) bool { return getenv(v) != "" || getenv(v+"_FILE") != "" }
	var unused []string
	for _, v := range openaiVars {
		used := slices.ContainsFunc(providers, func(p openai.Config) bool { return p.APIKeyEnv == v })
		if set(v) && !used && (fileProviders || (v == "OPENAI_API_KEY" && !set("OPENAI_BASE_URL"))) {
			unused = append(unused, v)
		}
	}
	if len(unused) == 0 {
		return nil
	}
	names := make([]string, len(providers))
	for i, p := range providers {
		names[i] = p.Name + " (" + p.BaseURL + ")"
	}
	why := "the config defines [[providers]]"
	if !fileProviders {
		why = "OPENAI_BASE_URL is not set"
	}
	return []string{fmt.Sprintf("%s set but not used: %s; in use: %s", strings.Join(unused, ", "), why, strings.Join(names, ", "))}
}
