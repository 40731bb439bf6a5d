package openai

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"imbot/core"
)

func TestPing(t *testing.T) {
	srv := newFake(t)
	c := newTestClient(t, testConfig("p", srv))
	if err := c.Ping(testContext(t)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if srv.Pings() != 1 || srv.Calls() != 0 {
		t.Fatalf("pings %d, chat calls %d; want one ping and no chat call", srv.Pings(), srv.Calls())
	}
}

func TestPingErrors(t *testing.T) {
	unauthorized := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":{"message":"bad key","type":"invalid_request_error"}}`))
	}))
	t.Cleanup(unauthorized.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tests := []struct {
		name       string
		url        string
		wantStatus int
	}{
		{"answers with an HTTP error", unauthorized.URL + "/v1", http.StatusUnauthorized},
		{"unreachable", closed.URL + "/v1", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Name, cfg.BaseURL, cfg.Model = "p", tt.url, "m"
			err := newTestClient(t, cfg).Ping(testContext(t))
			var pe core.ProviderError
			if !errors.As(err, &pe) || pe.Failure().Status != tt.wantStatus {
				t.Fatalf("Ping = %v, want a provider error with status %d", err, tt.wantStatus)
			}
		})
	}
}
