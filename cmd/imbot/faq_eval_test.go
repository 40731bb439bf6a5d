package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"imbot/knowledge"
	"imbot/provider/openai/openaitest"
)

var lastLine = regexp.MustCompile(`^coverage=[01]\.\d{4} precision=[01]\.\d{4} oos_accept=[01]\.\d{4} n=\d+ threshold=[01]\.\d{4}$`)

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeBuiltinKB writes the built-in knowledge base to a file in dir.
func writeBuiltinKB(t *testing.T, dir string) string {
	t.Helper()
	kb, err := knowledge.Read("")
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	if err := toml.NewEncoder(&text).Encode(kb); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, "kb.toml", text.String())
}

func TestFAQEval(t *testing.T) {
	dir := t.TempDir()
	set := writeFile(t, dir, "test.jsonl", strings.Join([]string{
		`{"q":"how do I connect telegram","want":"connect-telegram"}`,
		`{"q":"怎么接入飞书","want":"connect-feishu"}`,
		`{"q":"where is the data stored","want":"data-location"}`,
		`{"q":"tell me a joke","want":""}`,
		`{"q":"今天天气怎么样","want":""}`,
	}, "\n"))
	inScope := writeFile(t, dir, "val.jsonl", strings.Join([]string{
		`{"q":"how do I connect telegram","want":"connect-telegram"}`,
		`{"q":"怎么接入飞书","want":"connect-feishu"}`,
		`{"q":"where is the data stored","want":"data-location"}`,
	}, "\n"))
	kbPath := writeBuiltinKB(t, dir)
	cfg := writeFile(t, dir, "config.toml", "[router]\nanswer_threshold = 0.5\nbusiness_threshold = 0.2\n")
	tests := []struct {
		name      string
		args      []string
		threshold string // expected threshold= value; "" = any
		err       string
	}{
		{name: "defaults, built-in KB", args: []string{"-set", set}, threshold: "0.7000"},
		{name: "kb file and flag", args: []string{"-kb", kbPath, "-set", set, "-answer-threshold", "0.8"}, threshold: "0.8000"},
		{name: "config", args: []string{"-set", set, "-config", cfg}, threshold: "0.5000"},
		{name: "flag beats config", args: []string{"-set", set, "-config", cfg, "-answer-threshold", "0.7"}, threshold: "0.7000"},
		{name: "tuned", args: []string{"-kb", kbPath, "-set", set, "-tune", set, "-target-precision", "0.5"}},
		{name: "tuned without out-of-scope lines", args: []string{"-kb", kbPath, "-set", set, "-tune", inScope, "-target-precision", "0.5"}},
		{name: "no set", args: nil, err: "want -set or -clinc"},
		{name: "clinc with kb", args: []string{"-clinc", "x.json", "-kb", kbPath}, err: "-clinc replaces"},
		{name: "bad threshold", args: []string{"-set", set, "-answer-threshold", "2"}, err: "answer_threshold"},
		{name: "missing set file", args: []string{"-set", filepath.Join(dir, "nope.jsonl")}, err: "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := runFAQEval(tc.args, &out, &errOut)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, errOut.String())
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			last := lines[len(lines)-1]
			if !lastLine.MatchString(last) {
				t.Fatalf("last line %q does not match the contract", last)
			}
			if tc.threshold != "" && !strings.HasSuffix(last, "threshold="+tc.threshold) {
				t.Fatalf("last line %q, want threshold=%s", last, tc.threshold)
			}
			if strings.HasPrefix(tc.name, "tuned") && !strings.Contains(out.String(), " bound=") {
				t.Fatalf("tuning does not say which constraint bound it:\n%s", out.String())
			}
			if !strings.Contains(out.String(), "threshold  coverage  precision") {
				t.Fatalf("no sweep table in\n%s", out.String())
			}
		})
	}
}

func TestFAQEvalCLINC(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "data", "clinc150", "data_full.json")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("CLINC150 data set not found (%v)", err)
	}
	var out bytes.Buffer
	if err := runFAQEval([]string{"-clinc", path, "-per-intent", "1", "-answer-threshold", "0.7"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if last := lines[len(lines)-1]; !lastLine.MatchString(last) || !strings.Contains(last, "n=5500") {
		t.Fatalf("last line %q", last)
	}
}

func TestFAQEvalEmbeddings(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "test-key")
	srv := openaitest.New(t, openaitest.WithAPIKey("test-key"), openaitest.WithEmbeddingDims(16))
	dir := t.TempDir()
	set := writeFile(t, dir, "test.jsonl", `{"q":"how do I connect telegram","want":"connect-telegram"}`+"\n"+`{"q":"tell me a joke","want":""}`)
	var out, errOut bytes.Buffer
	err := runFAQEval([]string{"-set", set, "-embed-url", srv.URL(), "-embed-model", "embed-test"}, &out, &errOut)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "embeddings true") {
		t.Fatalf("index not embedded:\n%s\n%s", out.String(), errOut.String())
	}
	if srv.Calls() < 2 {
		t.Fatalf("%d calls to the embeddings server, want the documents and the queries", srv.Calls())
	}
	if err := runFAQEval([]string{"-set", set, "-embed-url", srv.URL()}, &out, &errOut); err == nil {
		t.Fatal("-embed-url without -embed-model accepted")
	}
}
