package main

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"imbot/core/catalog"
	"imbot/provider/openai/openaitest"
)

// TestChatLocallyThenThroughTheRunningDaemon: `imbot chat` opens the store
// itself when no daemon runs, and talks to the daemon over its admin API
// when one holds the store; both hold the same conversation.
func TestChatLocallyThenThroughTheRunningDaemon(t *testing.T) {
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Echo()))
	path := writeConfig(t, t.TempDir(), testSetup{model: model.URL(), listen: freeAddr(t)})

	var out, errOut bytes.Buffer
	if err := runChat([]string{"-config", path}, strings.NewReader("remember the word teapot\n"), &out, &errOut); err != nil {
		t.Fatalf("local chat: %v (%s)", err, errOut.String())
	}
	if !strings.Contains(out.String(), "[fake/fake-model]") {
		t.Fatalf("local chat output %q", out.String())
	}

	serve := startServe(t, path)
	out.Reset()
	in := strings.NewReader("which word did I ask you to remember?\n/help\n")
	if err := runChat([]string{"-config", path}, in, &out, &errOut); err != nil {
		t.Fatalf("chat with a running daemon: %v (%s)", err, errOut.String())
	}
	if !strings.Contains(out.String(), "[fake/fake-model]") {
		t.Fatalf("remote chat output %q", out.String())
	}
	if intro := (*catalog.Catalog)(nil).Text(catalog.EN, catalog.HelpIntro); !strings.Contains(out.String(), intro) {
		t.Fatalf("/help after an English message is not in English: %q", out.String())
	}
	reqs := model.Requests()
	var prompt []string
	for _, m := range reqs[len(reqs)-1].Messages {
		prompt = append(prompt, m.Content)
	}
	if !strings.Contains(strings.Join(prompt, "\n"), "remember the word teapot") {
		t.Fatalf("the daemon's turn did not see the local chat's history: %q", prompt)
	}
	if strings.TrimSpace(errOut.String()) != "" {
		t.Fatalf("logs on standard error: %q", errOut.String())
	}
	serve.stop()
}

// TestOpenAIAPIOnTheRunningDaemon asks the daemon's OpenAI-compatible API
// with the official client, whole and streamed, with a web token as key.
func TestOpenAIAPIOnTheRunningDaemon(t *testing.T) {
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Echo()))
	const key = "api-key-0123456789abcdef"
	path := writeConfig(t, t.TempDir(), testSetup{model: model.URL(),
		extra: "[api]\nenabled = true\n[adapters.web]\ntokens = [\"" + key + "\"]\n"})
	serve := startServe(t, path)
	c := openai.NewClient(option.WithBaseURL("http://"+serve.addr+"/v1/"), option.WithAPIKey(key), option.WithMaxRetries(0))
	params := openai.ChatCompletionNewParams{Model: "imbot-auto",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What colour is the sky on Mars?")}}
	resp, err := c.Chat.Completions.New(t.Context(), params)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Choices) != 1 || resp.Choices[0].Message.Content == "" {
		t.Fatalf("answer %+v", resp)
	}
	params.Model = "fake"
	stream := c.Chat.Completions.NewStreaming(t.Context(), params)
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil || acc.Choices[0].Message.Content == "" {
		t.Fatalf("stream: %v, %+v", err, acc.Choices)
	}
	bad := openai.NewClient(option.WithBaseURL("http://"+serve.addr+"/v1/"), option.WithAPIKey("wrong"), option.WithMaxRetries(0))
	var apiErr *openai.Error
	if _, err := bad.Models.List(t.Context()); !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad key: %v", err)
	}
}
