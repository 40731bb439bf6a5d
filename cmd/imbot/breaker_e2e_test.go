package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"imbot/provider/openai/openaitest"
)

// chatAs posts text to /api/chat in session and returns the reply's route.
func chatAs(t *testing.T, addr, session, text string) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"session": session, "text": text})
	status, out := postChat(t, addr, string(body))
	if status != http.StatusOK {
		t.Fatalf("/api/chat as %s: %d %v", session, status, out)
	}
	return out
}

func TestOneUsersFailingMessageKeepsTheModelForEveryoneElse(t *testing.T) {
	model := openaitest.New(t, openaitest.WithScript(func(r openaitest.Request) openaitest.Response {
		if strings.Contains(lastUser(r), "#fail") {
			return openaitest.Fail(http.StatusInternalServerError)
		}
		return openaitest.Echo()
	}))
	// Default breaker (min_calls 10, min_conversations 3); one retry per turn.
	in := startServe(t, writeConfig(t, t.TempDir(), testSetup{model: model.URL(), provider: "max_retries = 1"}))
	for i := range 6 {
		if out := chatAs(t, in.addr, "bad", fmt.Sprintf("#fail %d", i)); out["route"] == "model" {
			t.Fatalf("failing message %d: %v, want a fallback", i, out)
		}
	}
	if calls := model.Calls(); calls != 12 {
		t.Fatalf("model calls = %d, want 12 (six turns, each retried once)", calls)
	}
	for _, user := range []string{"u1", "u2", "u3"} {
		if out := chatAs(t, in.addr, user, "hello from "+user); out["route"] != "model" || out["text"] != "hello from "+user {
			t.Fatalf("%s after one user's failures: %v, want a model answer", user, out)
		}
	}
	// Two more conversations fail: eleven calls, eight failed, three
	// conversations. Now the provider is unhealthy for everyone.
	chatAs(t, in.addr, "bad2", "#fail a")
	chatAs(t, in.addr, "bad3", "#fail b")
	before := model.Calls()
	if out := chatAs(t, in.addr, "u4", "hello from u4"); out["route"] == "model" {
		t.Fatalf("after failures from three conversations: %v, want a fallback (breaker open)", out)
	}
	if model.Calls() != before {
		t.Fatal("the open breaker let a call through")
	}
}
