package main

import "fmt"

// ServerConfig is the [server] section: the daemon's HTTP listener and logs.
type ServerConfig struct {
	// Listen is the address of the web chat, webhooks, /healthz, /readyz
	// and /metrics.
	Listen string `toml:"listen"`
	// LogLevel is "debug", "info", "warn" or "error".
	LogLevel string `toml:"log_level"`
	// LogFormat is "text" or "json".
	LogFormat string `toml:"log_format"`
	// AdminTokenEnv names the environment variable holding the bearer token
	// for /admin/*; without a token only loopback clients may use them.
	AdminTokenEnv string `toml:"admin_token_env"`
	// AdminToken is resolved from AdminTokenEnv; never read from the file.
	AdminToken string `toml:"-"`
}

// validate returns every problem of the [server] section as "key: problem".
func (s ServerConfig) validate() []string {
	var problems []string
	if s.Listen == "" {
		problems = append(problems, "listen: must not be empty")
	}
	if _, err := parseLogLevel(s.LogLevel); err != nil {
		problems = append(problems, "log_level: "+err.Error())
	}
	if s.LogFormat != "text" && s.LogFormat != "json" {
		problems = append(problems, fmt.Sprintf("log_format: want \"text\" or \"json\", got %q", s.LogFormat))
	}
	return problems
}
