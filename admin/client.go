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
	body, err := cl.send(ctx, c.method(), c.url(), nil)
	if err != nil {
		return err
	}
	defer body.Close()
	_, err = io.Copy(w, body)
	return err
}

// Chat posts one `imbot chat` turn to the running daemon and returns its
// answer's stream; the caller closes it.
func (cl *Client) Chat(ctx context.Context, turn io.Reader) (io.ReadCloser, error) {
	return cl.send(ctx, http.MethodPost, pathChat, turn)
}

// send makes one request to the daemon and returns the body of its 200
// answer.
func (cl *Client) send(ctx context.Context, method, path string, body io.Reader) (io.ReadCloser, error) {
	host, port, err := net.SplitHostPort(cl.cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("server.listen %q: %w", cl.cfg.Listen, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+net.JoinHostPort(host, port)+path, body)
	if err != nil {
		return nil, err
	}
	if cl.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+cl.cfg.Token)
	}
	resp, err := cl.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the store is locked by a running daemon, which did not answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, fmt.Errorf("running daemon answered %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	}
	return resp.Body, nil
}
