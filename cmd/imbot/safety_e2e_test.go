package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"imbot/provider/openai/openaitest"
)

// withWords writes a words file into dir and returns the [safety] table
// that names it.
func withWords(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "banned.txt")
	if err := os.WriteFile(path, []byte("# test list\n赌博\nonline casino\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return "[safety]\nwords_file = " + quote(path) + "\n"
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `\`, `\\`) + `"` }

// chunked echoes the last user message in pieces of n bytes, so that
// anything the reply carries is cut across chunks.
func chunked(n int) func(openaitest.Request) openaitest.Response {
	return func(req openaitest.Request) openaitest.Response {
		text := lastUser(req)
		var chunks []string
		for len(text) > n {
			chunks = append(chunks, text[:n])
			text = text[n:]
		}
		return openaitest.Answer(append(chunks, text)...)
	}
}

func TestServeRefusesSensitiveQuestions(t *testing.T) {
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Echo()))
	dir := t.TempDir()
	in := startServe(t, writeConfig(t, dir, testSetup{model: model.URL(), extra: withWords(t, dir)}))
	c := in.dial("")
	readFrame(t, c)
	for i, tc := range []struct{ question, want string }{
		{"请问哪里可以赌博？", "抱歉，我无法回应这条消息。"},
		{"Where is the best ONLINE CASINO?", "Sorry, I can't respond to that message."},
		{"Tell me about ｏｎｌｉｎｅ　ｃａｓｉｎｏｓ", "Sorry, I can't respond to that message."},
	} {
		streamed, done := ask(t, c, "q"+string(rune('0'+i)), tc.question)
		if done.Text != tc.want || streamed != "" {
			t.Errorf("%q: streamed %q, done %+v; want the refusal %q", tc.question, streamed, done, tc.want)
		}
	}
	if n := model.Calls(); n != 0 {
		t.Fatalf("the model was called %d times for refused questions", n)
	}
	if _, done := ask(t, c, "ok", "what is two plus two?"); done.Route != "model" {
		t.Fatalf("a clean question after refusals: %+v", done)
	}
	for _, req := range model.Requests() {
		for _, m := range req.Messages {
			if strings.Contains(m.Content, "赌博") || strings.Contains(strings.ToLower(m.Content), "casino") {
				t.Fatalf("a refused question reached the model through history: %q", m.Content)
			}
		}
	}
}

func TestServeMasksSensitiveWordsInStreamedAnswers(t *testing.T) {
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Answer("you could try an onl", "ine cas", "ino or 赌", "博 instead")))
	dir := t.TempDir()
	in := startServe(t, writeConfig(t, dir, testSetup{model: model.URL(), extra: withWords(t, dir)}))
	c := in.dial("")
	readFrame(t, c)
	streamed, done := ask(t, c, "m1", "any ideas for the weekend?")
	const want = "you could try an *** or *** instead"
	if done.Text != want || streamed != want {
		t.Fatalf("streamed %q, done %q; want %q", streamed, done.Text, want)
	}
}

// piiQuestion holds a phone, a valid and an invalid ID number, a
// Luhn-valid and a Luhn-invalid card, and an e-mail address.
const piiQuestion = "phone 13812345678, id 11010519491231002X, bad id 110105194912310021, " +
	"card 4111 1111 1111 1111, bad card 4111 1111 1111 1112, mail li.lei@example.com"

func TestServeMasksPersonalDataForThirdPartyProviders(t *testing.T) {
	model := openaitest.New(t, openaitest.WithScript(chunked(3)))
	in := startServe(t, writeConfig(t, t.TempDir(), testSetup{model: model.URL(), provider: "third_party = true"}))
	c := in.dial("")
	readFrame(t, c)
	streamed, done := ask(t, c, "m1", piiQuestion)
	const masked = "phone [PHONE_1], id [IDCARD_1], bad id 110105194912310021, " +
		"card [CARD_1], bad card 4111 1111 1111 1112, mail [EMAIL_1]"
	reqs := model.Requests()
	if got := lastUser(reqs[0]); got != masked {
		t.Fatalf("the third-party model got\n %q\nwant\n %q", got, masked)
	}
	if done.Text != piiQuestion || streamed != piiQuestion {
		t.Fatalf("the user saw streamed %q, done %q; want the values restored", streamed, done.Text)
	}
	// The next turn masks the stored history the same way: nothing raw
	// leaves, and the numbering is stable.
	ask(t, c, "m2", "and call 13912345678 too")
	next := model.Requests()[1]
	for _, m := range next.Messages {
		for _, raw := range []string{"13812345678", "11010519491231002X", "4111 1111 1111 1111", "li.lei@example.com", "13912345678"} {
			if strings.Contains(m.Content, raw) {
				t.Fatalf("turn 2 sent %q to the third-party model in %q", raw, m.Content)
			}
		}
	}
	if got := lastUser(next); got != "and call [PHONE_2] too" {
		t.Fatalf("turn 2 question = %q", got)
	}
}

func TestServeSendsRawTextToLocalProviders(t *testing.T) {
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Echo()))
	in := startServe(t, writeConfig(t, t.TempDir(), testSetup{model: model.URL(), provider: "third_party = false"}))
	c := in.dial("")
	readFrame(t, c)
	if _, done := ask(t, c, "m1", piiQuestion); done.Text != piiQuestion {
		t.Fatalf("reply %q", done.Text)
	}
	if got := lastUser(model.Requests()[0]); got != piiQuestion {
		t.Fatalf("the local model got %q, want the raw question", got)
	}
}

func TestForgetUserAndMaskedExport(t *testing.T) {
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Echo()))
	path := writeConfig(t, t.TempDir(), testSetup{model: model.URL(), listen: freeAddr(t)})
	in := startServe(t, path)
	for _, session := range []string{"keep-me", "erase-me", "erase-later"} {
		c := in.dial(session)
		readFrame(t, c)
		ask(t, c, "m-"+session, session+": call me on 13812345678")
	}
	run := func(cmd func([]string, io.Writer, io.Writer) error, args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if err := cmd(append([]string{"-config", path}, args...), &stdout, &stderr); err != nil {
			t.Fatalf("%v: %v (%s)", args, err, stderr.String())
		}
		return stdout.String()
	}
	// The daemon holds the store: the call goes through the admin API.
	if got := run(runForgetUser, "web:erase-me"); !strings.Contains(got, `"Conversations":1`) {
		t.Fatalf("forget-user answered %q", got)
	}
	masked := run(runExport)
	if strings.Contains(masked, "erase-me:") || !strings.Contains(masked, "keep-me: call me on [PHONE_1]") ||
		strings.Contains(masked, "13812345678") {
		t.Fatalf("export after forget-user:\n%s", masked)
	}
	in.stop()
	// Offline, the store file is changed directly.
	run(runForgetUser, "web:erase-later")
	raw := run(runExport, "-raw")
	if strings.Contains(raw, "erase-later:") || !strings.Contains(raw, "keep-me: call me on 13812345678") {
		t.Fatalf("raw export after an offline forget-user:\n%s", raw)
	}
	var stdout, stderr bytes.Buffer
	if err := runForgetUser([]string{"-config", path, "erase-later"}, &stdout, &stderr); err == nil {
		t.Fatal("a user without a platform was accepted")
	}
}
