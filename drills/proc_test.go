//go:build drills

package drills

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildImbot builds the daemon into a temporary directory of t and returns
// the binary's path.
func buildImbot(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "imbot")
	out, err := exec.Command("go", "build", "-o", path, "../cmd/imbot").CombinedOutput()
	if err != nil {
		t.Fatalf("build imbot: %v\n%s", err, out)
	}
	return path
}

// envInt reads a positive integer knob from the environment.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// setup is one drill's daemon configuration.
type setup struct {
	bin    string // the imbot binary
	dir    string // store and config
	listen string // 127.0.0.1:port, fixed across restarts
	model  string // the fake model's base URL
	extra  string // more TOML: adapters, dispatcher
	store  string // the [store] section's keys; empty for a bbolt file in the store directory
}

// newSetup builds imbot, then picks a free port and a directory for the
// drill's daemon.
func newSetup(t testing.TB, model, extra string) setup {
	t.Helper()
	return setupFor(t, buildImbot(t), model, extra)
}

// setupFor picks a free port and a directory for a daemon run from bin.
func setupFor(t testing.TB, bin, model, extra string) setup {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return setup{bin: bin, dir: t.TempDir(), listen: addr, model: model, extra: extra}
}

// config writes the daemon's config with the store in storeDir (unless the
// setup names another store) and returns its path.
func (s setup) config(t testing.TB, storeDir string) string {
	t.Helper()
	store := s.store
	if store == "" {
		store = fmt.Sprintf("path = %q", filepath.Join(storeDir, "imbot.db"))
	}
	cfg := fmt.Sprintf(`
[server]
listen = %q
log_level = "info"
[store]
%s
[[providers]]
name = "fake"
base_url = %q
model = "fake-model"
first_token_timeout = "2s"
timeout = "10s"
[router]
general = ["fake"]
%s
`, s.listen, store, s.model, s.extra)
	path := filepath.Join(s.dir, "config.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// proc is one running `imbot serve`.
type proc struct {
	t      testing.TB
	cmd    *exec.Cmd
	log    *bytes.Buffer
	exited chan error
}

// start runs imbot serve with config and waits for /healthz.
func start(t testing.TB, s setup, config string, env ...string) *proc {
	t.Helper()
	p := &proc{t: t, log: &bytes.Buffer{}, exited: make(chan error, 1)}
	p.cmd = exec.Command(s.bin, "serve", "-config", config)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + s.listen + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case err := <-p.exited:
			t.Fatalf("imbot exited before it was healthy: %v\n%s", err, p.log)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.kill()
			t.Fatalf("imbot not healthy within 20s\n%s", p.log)
		}
	}
}

// kill ends the process with SIGKILL and waits for it.
func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// term sends SIGTERM and returns how long the process took to exit; it
// fails the drill when the exit is not clean.
func (p *proc) term() time.Duration {
	p.t.Helper()
	start := time.Now()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.exited:
		if err != nil {
			p.t.Errorf("imbot exited with %v after SIGTERM\n%s", err, p.log)
		}
	case <-time.After(60 * time.Second):
		p.kill()
		p.t.Fatalf("imbot did not exit within 60s of SIGTERM\n%s", p.log)
	}
	return time.Since(start)
}

// exported is one conversation of `imbot export`.
type exported struct {
	Conversation string `json:"conversation"`
	Messages     []struct {
		Role string `json:"role"`
		Text string `json:"text"`
	} `json:"messages"`
}

// historyCounts runs `imbot export` on a stopped daemon's store and counts
// each user message text and how many user messages have a reply after them.
func historyCounts(t *testing.T, s setup, config string, env ...string) (questions map[string]int, unanswered int) {
	t.Helper()
	return historyTally(export(t, s, config, env...))
}

// historyTally counts each user message text of the conversations and how
// many user messages have no reply after them.
func historyTally(conversations []exported) (questions map[string]int, unanswered int) {
	questions = map[string]int{}
	for _, c := range conversations {
		for i, m := range c.Messages {
			if m.Role != "user" {
				continue
			}
			questions[m.Text]++
			if i+1 >= len(c.Messages) || c.Messages[i+1].Role != "assistant" {
				unanswered++
			}
		}
	}
	return questions, unanswered
}

// export runs `imbot export` on a stopped daemon's store and returns its
// conversations.
func export(t *testing.T, s setup, config string, env ...string) []exported {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, "export", "-config", config)
	var stderr bytes.Buffer
	cmd.Stderr, cmd.Env = &stderr, append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("imbot export: %v\n%s", err, stderr.String())
	}
	var convs []exported
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var c exported
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("export line: %v", err)
		}
		convs = append(convs, c)
	}
	return convs
}

// tally counts markers: how many were seen zero times and more than once.
func tally(markers []string, seen map[string]int) (lost, doubled int) {
	for _, m := range markers {
		switch n := seen[m]; {
		case n == 0:
			lost++
		case n > 1:
			doubled++
		}
	}
	return lost, doubled
}

// containsWord reports whether s holds marker as a whole word.
func containsWord(s, marker string) bool {
	for _, f := range strings.Fields(s) {
		if f == marker {
			return true
		}
	}
	return false
}
