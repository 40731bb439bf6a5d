package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"imbot/admin"
	"imbot/provider/openai/openaitest"
)

// lastUser returns the last user message of a recorded model request.
func lastUser(r openaitest.Request) string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" {
			return r.Messages[i].Content
		}
	}
	return ""
}

// scriptedModel fails the ways its user messages ask for.
func scriptedModel(t *testing.T) *openaitest.Server {
	return openaitest.New(t, openaitest.WithScript(func(r openaitest.Request) openaitest.Response {
		q := lastUser(r)
		switch {
		case strings.Contains(q, "[500]"), strings.Contains(q, "[all down]"):
			return openaitest.Fail(http.StatusInternalServerError)
		case strings.Contains(q, "[429]"):
			return openaitest.RateLimited(30) // longer than the turn can wait
		case strings.Contains(q, "[hang]"):
			return openaitest.Hang()
		case strings.Contains(q, "[drop]"):
			return openaitest.Drop(1, "half of ", "the answer")
		}
		return openaitest.Echo()
	}))
}

// chainConfig is a primary provider that fails on request, then a backup.
func chainConfig(t *testing.T, dir, primary, backup, listen string) string {
	t.Helper()
	return writeConfig(t, dir, testSetup{model: primary, listen: listen,
		provider: "max_retries = 0\n[providers.breaker]\nmin_calls = 100", general: `["fake", "backup"]`,
		extra: fmt.Sprintf("[[providers]]\nname = \"backup\"\nbase_url = %q\nmodel = \"backup-model\"\nmax_retries = 0\n", backup)})
}

func TestServeFailsOverAndDegrades(t *testing.T) {
	primary := scriptedModel(t)
	backup := openaitest.New(t, openaitest.WithScript(func(r openaitest.Request) openaitest.Response {
		if strings.Contains(lastUser(r), "[all down]") {
			return openaitest.Fail(http.StatusBadGateway)
		}
		return openaitest.Echo()
	}))
	path := chainConfig(t, t.TempDir(), primary.URL(), backup.URL(), "127.0.0.1:0")
	in := startServe(t, path)
	tests := []struct {
		ask, route, provider, text string
	}{
		{"plain question", "model", "fake", "plain question"},
		{"[500] server error", "model", "backup", "[500] server error"},
		{"[429] rate limited", "model", "backup", "[429] rate limited"},
		{"[hang] no first token", "model", "backup", "[hang] no first token"},
		{"[drop] stream breaks", "model", "fake", "half of \n\n[The answer was cut off because the model stopped responding.]"},
		{"[all down] everything fails", "degraded", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.ask, func(t *testing.T) {
			body, _ := json.Marshal(map[string]string{"text": tt.ask})
			status, out := postChat(t, in.addr, string(body))
			if status != http.StatusOK || out["route"] != tt.route || out["provider"] != tt.provider {
				t.Fatalf("%d %v, want route %s from %q", status, out, tt.route, tt.provider)
			}
			if tt.text != "" && out["text"] != tt.text {
				t.Fatalf("text %q, want %q", out["text"], tt.text)
			}
		})
	}
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestFAQUnansweredExport(t *testing.T) {
	down := openaitest.New(t, openaitest.WithDefault(openaitest.Fail(http.StatusInternalServerError)))
	path := chainConfig(t, t.TempDir(), down.URL(), down.URL(), freeAddr(t))
	in := startServe(t, path)
	if status, out := postChat(t, in.addr, `{"text":"Do you deliver to Antarctica?"}`); status != 200 || out["route"] != "degraded" {
		t.Fatalf("%d %v, want a degraded reply", status, out)
	}
	export := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if err := runFAQUnanswered(append([]string{"-config", path}, args...), &stdout, &stderr); err != nil {
			t.Fatalf("faq unanswered %v: %v (%s)", args, err, stderr.String())
		}
		return stdout.String()
	}
	// The daemon holds the store: the export goes through /admin/unanswered.
	live := export("-since", "1h")
	var line admin.UnansweredLine
	if err := json.Unmarshal([]byte(strings.Split(live, "\n")[0]), &line); err != nil {
		t.Fatalf("jsonl line %q: %v", live, err)
	}
	if line.Question != "Do you deliver to Antarctica?" || line.Reason != "degraded" || line.Platform != "web" {
		t.Fatalf("exported %+v", line)
	}
	in.stop()
	// Without a daemon the store is read directly.
	offline := export("-format", "csv")
	if !strings.HasPrefix(offline, "at,platform,conversation,reason,question,candidates\n") ||
		!strings.Contains(offline, ",web,") || !strings.Contains(offline, "Do you deliver to Antarctica?") {
		t.Fatalf("csv export:\n%s", offline)
	}
	if got := export("-since", "2999-01-01"); got != "" {
		t.Fatalf("-since in the future exported %q", got)
	}
}

func TestChatInTheTerminal(t *testing.T) {
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Echo()))
	path := writeConfig(t, t.TempDir(), testSetup{model: model.URL()})
	chat := func(input string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if err := runChat([]string{"-config", path, "-session", "notes"}, strings.NewReader(input), &stdout, &stderr); err != nil {
			t.Fatalf("chat: %v (%s)", err, stderr.String())
		}
		return stdout.String()
	}
	out := chat("My cat is called Miso.\n/help\n")
	if !strings.Contains(out, "My cat is called Miso.\n  [fake/fake-model]") || !strings.Contains(out, "/reset") {
		t.Fatalf("terminal output:\n%s", out)
	}
	chat("What is my cat called?\n")
	reqs := model.Requests()
	prompt := reqs[len(reqs)-1].Messages
	if len(prompt) < 3 || prompt[1].Content != "My cat is called Miso." {
		t.Fatalf("second run's prompt lacks the first run's history: %+v", prompt)
	}
}
