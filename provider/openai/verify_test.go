package openai_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"imbot/provider/openai"
	"imbot/provider/openai/openaitest"
)

func verifyClient(t *testing.T, url, key string) *openai.Client {
	t.Helper()
	cfg := openai.DefaultConfig()
	cfg.Name, cfg.BaseURL, cfg.Model, cfg.APIKey = "p", url, "m", key
	if key != "" {
		cfg.APIKeyEnv = "P_KEY"
	}
	c, err := openai.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestVerify(t *testing.T) {
	srv := openaitest.New(t, openaitest.WithAPIKey("sk-good"), openaitest.WithUnauthorized())
	ctx := context.Background()
	if err := verifyClient(t, srv.URL(), "sk-good").Verify(ctx); err != nil {
		t.Fatalf("good key: %v", err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].MaxTokens != 1 || reqs[0].Model != "m" {
		t.Fatalf("requests = %+v, want one of max_tokens 1 for model m", reqs)
	}
	err := verifyClient(t, srv.URL(), "sk-wrong").Verify(ctx)
	var pe *openai.Error
	if !errors.As(err, &pe) || pe.Status != 401 {
		t.Fatalf("wrong key: err = %v, want status 401", err)
	}
	if got := err.Error(); strings.Contains(got, "sk-wrong") {
		t.Fatalf("error %q shows the key", got)
	}
}

func TestVerifyTimesOut(t *testing.T) {
	srv := openaitest.New(t, openaitest.WithDefault(openaitest.Hang()))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := verifyClient(t, srv.URL(), "").Verify(ctx); err == nil {
		t.Fatal("a hanging provider answered")
	}
}
