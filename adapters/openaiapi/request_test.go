package openaiapi

import (
	"strings"
	"testing"
)

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name, body string
		param      string // "" when the request is valid
		text       string
		earlier    int
	}{
		{"string content", `{"model":"m","messages":[{"role":"user","content":"hi"}]}`, "", "hi", 0},
		{"text parts", `{"messages":[{"role":"developer","content":"x"},{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]}`, "", "a\nb", 1},
		{"image part", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}`, "messages[0].content", "", 0},
		{"tool role", `{"messages":[{"role":"tool","content":"x"},{"role":"user","content":"q"}]}`, "messages[0].role", "", 0},
		{"last is assistant", `{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}`, "messages", "", 0},
		{"no messages", `{"model":"m"}`, "messages", "", 0},
		{"n above one", `{"n":2,"messages":[{"role":"user","content":"q"}]}`, "n", "", 0},
		{"tools", `{"tools":[{"type":"function"}],"messages":[{"role":"user","content":"q"}]}`, "tools", "", 0},
		{"zero max tokens", `{"max_tokens":0,"messages":[{"role":"user","content":"q"}]}`, "max_tokens", "", 0},
		{"not json", `{`, "none", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, e := parseRequest([]byte(tt.body))
			switch {
			case tt.param == "" && e != nil:
				t.Fatalf("refused: %v", e)
			case tt.param == "":
				if q.text != tt.text || len(q.earlier) != tt.earlier {
					t.Fatalf("question %q after %d, want %q after %d", q.text, len(q.earlier), tt.text, tt.earlier)
				}
			case e == nil:
				t.Fatalf("accepted: %+v", q)
			case tt.param != "none" && (e.Param == nil || *e.Param != tt.param):
				t.Fatalf("error %+v, want param %s", e, tt.param)
			case e.status != 400:
				t.Fatalf("status %d", e.status)
			}
		})
	}
}

// FuzzParseRequest: whatever the body, parsing never panics, and a request
// it accepts ends with a user message that has text, after messages of the
// roles a model knows.
func FuzzParseRequest(f *testing.F) {
	f.Add([]byte(`{"model":"imbot-auto","messages":[{"role":"system","content":"s"},{"role":"user","content":"hi"}],"stream":true}`))
	f.Add([]byte(`{"messages":[{"role":"user","content":[{"type":"text","text":"a"}]}],"max_completion_tokens":5}`))
	f.Add([]byte(`{"messages":[{"role":"user","content":null}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		q, e := parseRequest(body)
		if e != nil {
			if e.status != 400 || e.Message == "" {
				t.Fatalf("error %+v", e)
			}
			return
		}
		if strings.TrimSpace(q.text) == "" || q.maxTokens < 0 {
			t.Fatalf("accepted %+v", q)
		}
		for _, m := range q.earlier {
			if m.Role != "system" && m.Role != "user" && m.Role != "assistant" {
				t.Fatalf("role %q passed", m.Role)
			}
		}
	})
}
