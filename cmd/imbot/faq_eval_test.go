package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"imbot/core"
	"imbot/core/faq"
	"imbot/core/provider/providertest"
)

// TestBuiltinKnowledgeBase checks that the shipped knowledge base loads and
// that natural questions in both languages are answered from it with the
// default thresholds, while small talk is not.
func TestBuiltinKnowledgeBase(t *testing.T) {
	kb, err := faq.Parse(builtinFAQ)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(kb.Entries); n < 20 || n > 40 {
		t.Fatalf("%d entries, want 20–40", n)
	}
	ix, err := faq.Build(context.Background(), kb, faq.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	th := faq.DefaultConfig().Thresholds()
	tests := []struct {
		q, want string // want "" means: not answered from the FAQ
	}{
		{"how do I connect telegram", "connect-telegram"},
		{"how can I hook the bot up to Feishu?", "connect-feishu"},
		{"can I run it with ollama", "local-model"},
		{"where does the bot store its data", "data-location"},
		{"what does the /reset command do", "reset-command"},
		{"怎么接入飞书机器人", "connect-feishu"},
		{"怎么清空聊天记录？", "reset-command"},
		{"模型怎么配置", "connect-model"},
		{"数据保存在哪里", "data-location"},
		{"tell me a joke", ""},
		{"今天天气怎么样", ""},
		{"write me a poem about the sea", ""},
		{"帮我翻译一下这句话", ""},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			r := ix.Search(context.Background(), tc.q)
			best, _ := r.Best()
			answered := r.Decide(th) == core.TierAnswer
			switch {
			case tc.want == "" && answered:
				t.Fatalf("answered from the FAQ with %q (confidence %.3f)", best.ID, r.Confidence)
			case tc.want != "" && (!answered || best.ID != tc.want):
				t.Fatalf("best %q, confidence %.3f, answered %v; want %q answered", best.ID, r.Confidence, answered, tc.want)
			}
		})
	}
}

var lastLine = regexp.MustCompile(`^coverage=[01]\.\d{4} precision=[01]\.\d{4} oos_accept=[01]\.\d{4} n=\d+ threshold=[01]\.\d{4}$`)

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
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
	kbPath := writeFile(t, dir, "kb.toml", string(builtinFAQ))
	cfg := writeFile(t, dir, "config.toml", "[router]\nanswer_threshold = 0.5\nbusiness_threshold = 0.2\n")
	tests := []struct {
		name      string
		args      []string
		threshold string // expected threshold= value; "" = any
		err       string
	}{
		{name: "defaults, built-in KB", args: []string{"-set", set}, threshold: "0.9500"},
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
	if err := runFAQEval([]string{"-clinc", path, "-per-intent", "1", "-answer-threshold", "0.95"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if last := lines[len(lines)-1]; !lastLine.MatchString(last) || !strings.Contains(last, "n=5500") {
		t.Fatalf("last line %q", last)
	}
}

func TestFAQEvalEmbeddings(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "test-key")
	srv := providertest.New(t, providertest.WithAPIKey("test-key"), providertest.WithEmbeddingDims(16))
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
