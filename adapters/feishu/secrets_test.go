package feishu

import (
	"bytes"
	"net/http"
	"testing"

	"imbot/adapters/feishu/feishutest"
)

func TestSetWebhookSecretsAppliesToTheNextRequest(t *testing.T) {
	const newToken, newKey = "rotated-token", "rotated-encrypt-key"
	h := newHarness(t, nil)
	h.serve()
	challenge := func(key, token string) int {
		t.Helper()
		body := feishutest.EncryptedBody(key, feishutest.Challenge(token, "ch-1"))
		resp, err := http.Post(h.url, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := challenge(testEncryptKey, testToken); got != http.StatusOK {
		t.Fatalf("before the change: status %d, want 200", got)
	}
	h.a.SetWebhookSecrets(newToken, newKey)
	tests := []struct {
		name, key, token string
		want             int
	}{
		{"old key and token", testEncryptKey, testToken, http.StatusUnauthorized},
		{"new key, old token", newKey, testToken, http.StatusUnauthorized},
		{"new key and token", newKey, newToken, http.StatusOK},
	}
	for _, tc := range tests {
		if got := challenge(tc.key, tc.token); got != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.want)
		}
	}
}
