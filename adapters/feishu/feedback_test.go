package feishu

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"imbot/adapters/feishu/feishutest"
	"imbot/core"
	"imbot/core/catalog"
	"imbot/core/feedback"
)

// cardCallback is the plain JSON of a card.action.trigger callback of the
// button with value, pressed by operator.
func cardCallback(operator string, value any) []byte {
	v, _ := json.Marshal(value)
	return []byte(`{"schema":"2.0","header":{"event_id":"ev-card","event_type":"card.action.trigger","token":"` + testToken +
		`"},"event":{"operator":{"open_id":"` + operator + `"},"action":{"tag":"button","value":` + string(v) + `}}}`)
}

func TestCardVoteButtonsAndCallback(t *testing.T) {
	h := newHarness(t, nil)
	var mu sync.Mutex
	var votes []core.Feedback
	h.a.feedback = func(_ context.Context, fb core.Feedback) error {
		if fb.Turn == "unknown" {
			return feedback.ErrUnknownTurn
		}
		mu.Lock()
		defer mu.Unlock()
		votes = append(votes, fb)
		return nil
	}
	h.serve()
	env := core.Envelope{Platform: Platform, ChatID: "oc_1", ChatKind: core.ChatGroup, UserID: "ou_asker", MessageID: "om_9"}
	w := &writer{a: h.a, env: env}
	var card struct {
		Body struct {
			Elements []json.RawMessage `json:"elements"`
		} `json:"body"`
	}
	if err := json.Unmarshal([]byte(buildCard("answer", "", false, w.votes()...)), &card); err != nil || len(card.Body.Elements) != 2 {
		t.Fatalf("card elements %d (%v), want the answer and the vote row", len(card.Body.Elements), err)
	}
	row := string(card.Body.Elements[1])
	if !strings.Contains(row, `"imbot_vote":"down"`) || !strings.Contains(row, `"turn":"om_9"`) || !strings.Contains(row, `"type":"callback"`) {
		t.Fatalf("vote row %s", row)
	}
	w.noVotes = true
	if len(w.votes()) != 0 {
		t.Error("a command or refusal got vote buttons")
	}

	value := voteValue{Vote: "down", Turn: "om_9", Chat: "oc_1", Group: true, Asker: "ou_asker"}
	status, body := postCallback(t, h, cardCallback("ou_voter", value))
	want := (*catalog.Catalog)(nil).Text(catalog.ZH, catalog.FeedbackThanks)
	if status != http.StatusOK || !strings.Contains(body, `"toast"`) || !strings.Contains(body, want) {
		t.Fatalf("callback answered %d %s, want a toast with %q", status, body, want)
	}
	value.Turn = "unknown"
	if _, body := postCallback(t, h, cardCallback("ou_voter", value)); strings.Contains(body, "toast") {
		t.Errorf("a vote on an unknown turn answered %s", body)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(votes) != 1 || votes[0].Vote != core.VoteDown || votes[0].Turn != "om_9" || votes[0].User != "ou_voter" ||
		votes[0].Conversation != env.Conversation() {
		t.Errorf("votes = %+v, want one 👎 on om_9 in %v", votes, env.Conversation())
	}
}

// postCallback posts a signed, encrypted callback and returns the answer.
func postCallback(t *testing.T, h *harness, plain []byte) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(feishutest.WebhookRequest(context.Background(), h.url, testEncryptKey, plain, h.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func FuzzParseVoteValue(f *testing.F) {
	for _, s := range []string{`{"imbot_vote":"up","turn":"om","chat":"oc","asker":"ou"}`, `{"imbot_vote":"x"}`, `[]`, `{"turn":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		v, vote, ok := parseVoteValue(raw)
		if ok && (v.Turn == "" || v.Chat == "" || v.Asker == "" || (vote != core.VoteUp && vote != core.VoteDown)) {
			t.Errorf("parseVoteValue(%q) accepted %+v %v", raw, v, vote)
		}
	})
}
