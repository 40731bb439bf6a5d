package main

import (
	"encoding/json"
	"strings"
	"testing"

	"imbot/provider/openai/openaitest"
	"imbot/store"
)

// runCLI runs the imbot command line and returns its exit code and output.
func runCLI(args ...string) (int, string, string) {
	var stdout, stderr strings.Builder
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// statsOf runs `imbot stats -json` and decodes its answer.
func statsOf(t *testing.T, path string) store.Stats {
	t.Helper()
	code, out, errOut := runCLI("stats", "-config", path, "-json")
	var st store.Stats
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil {
		t.Fatalf("imbot stats = %d %q %q", code, out, errOut)
	}
	return st
}

func TestStatsAndCompactCommands(t *testing.T) {
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Echo()))
	path := writeConfig(t, t.TempDir(), testSetup{model: model.URL(), listen: freeAddr(t)})
	in := startServe(t, path)
	c := in.dial("")
	readFrame(t, c)
	ask(t, c, "1", "hello")

	served := statsOf(t, path) // through the daemon, which holds the file
	if served.Conversations != 1 || served.Messages != 2 || served.Routes["model"] != 1 || served.FileBytes == 0 {
		t.Fatalf("stats from the daemon: %+v", served)
	}
	if code, _, errOut := runCLI("compact", "-config", path); code != 1 || !strings.Contains(errOut, "offline only") {
		t.Fatalf("compact while serving = %d %q, want a refusal", code, errOut)
	}

	in.stop()
	offline := statsOf(t, path)
	if offline.Conversations != 1 || offline.Messages != 2 {
		t.Fatalf("stats from the file: %+v", offline)
	}
	code, out, errOut := runCLI("compact", "-config", path)
	if code != 0 || !strings.Contains(out, "bytes before") {
		t.Fatalf("compact offline = %d %q %q", code, out, errOut)
	}
	if code, out, _ := runCLI("stats", "-config", path); code != 0 || !strings.Contains(out, "messages       2") {
		t.Fatalf("stats after compact = %d %q", code, out)
	}
}
