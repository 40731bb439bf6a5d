package admin

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// clientTimeout bounds one admin call, a backup of a large store included.
const clientTimeout = 30 * time.Minute

// Client makes admin calls to the daemon running on this host.
type Client struct {
	cfg  Config
	http *http.Client
}

// NewClient returns a client for the daemon listening on cfg.Listen, sending
// cfg.Token when set.
func NewClient(cfg Config) *Client {
	return &Client{cfg: cfg, http: &http.Client{Timeout: clientTimeout}}
}

// Do copies the running daemon's answer to c into w.
func (cl *Client) Do(ctx context.Context, c Call, w io.Writer) error {
	host, port, err := net.SplitHostPort(cl.cfg.Listen)
	if err != nil {
		return fmt.Errorf("server.listen %q: %w", cl.cfg.Listen, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	req, err := http.NewRequestWithContext(ctx, c.method(), "http://"+net.JoinHostPort(host, port)+c.url(), nil)
	if err != nil {
		return err
	}
	if cl.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+cl.cfg.Token)
	}
	resp, err := cl.http.Do(req)
	if err != nil {
		return fmt.Errorf("the store is locked by a running daemon, which did not answer: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("running daemon answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	_, err = io.Copy(w, resp.Body)
	return err
}
