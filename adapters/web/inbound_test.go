package web

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseFrame(t *testing.T) {
	tests := []struct {
		name, data     string
		id, text, code string
		replyTo        string
	}{
		{name: "message", data: `{"type":"message","id":"m-1","text":"hi there"}`, id: "m-1", text: "hi there"},
		{name: "trims", data: `{"type":"message","id":"m","text":"\n /help \t"}`, id: "m", text: "/help"},
		{name: "unknown fields ignored", data: `{"type":"message","id":"m","text":"x","extra":1}`, id: "m", text: "x"},
		{name: "text at limit", data: `{"type":"message","id":"m","text":"` + strings.Repeat("é", 5) + `"}`, id: "m", text: strings.Repeat("é", 5)},
		{name: "text over limit", data: `{"type":"message","id":"m","text":"` + strings.Repeat("é", 5) + `x"}`, code: codeTooLarge, replyTo: "m"},
		{name: "empty", data: ``, code: codeBadRequest},
		{name: "null", data: `null`, code: codeBadRequest},
		{name: "trailing garbage", data: `{"type":"message","id":"m","text":"x"} {}`, code: codeBadRequest},
		{name: "wrong type", data: `{"type":"hello","id":"m","text":"x"}`, code: codeBadRequest, replyTo: "m"},
		{name: "id is a number", data: `{"type":"message","id":7,"text":"x"}`, code: codeBadRequest},
		{name: "id too long", data: `{"type":"message","id":"` + strings.Repeat("i", 129) + `","text":"x"}`, code: codeBadRequest},
		{name: "id with control char", data: `{"type":"message","id":"a\u0001","text":"x"}`, code: codeBadRequest},
		{name: "empty text", data: `{"type":"message","id":"m","text":""}`, code: codeBadRequest, replyTo: "m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseFrame([]byte(tt.data), 10)
			if tt.code != "" {
				if err == nil || err.code != tt.code || err.replyTo != tt.replyTo || err.message == "" {
					t.Fatalf("got %+v, %v; want error %q reply_to %q", m, err, tt.code, tt.replyTo)
				}
				return
			}
			if err != nil || string(m.id) != tt.id || m.text != tt.text || m.session != "" {
				t.Fatalf("got %+v, %v; want id %q text %q", m, err, tt.id, tt.text)
			}
		})
	}
}

func TestParseChatRequest(t *testing.T) {
	tests := []struct {
		name, body, session, id, text, code string
	}{
		{name: "all fields", body: `{"session":"s_1","id":"q1","text":"hi"}`, session: "s_1", id: "q1", text: "hi"},
		{name: "text only", body: `{"text":"hi"}`, text: "hi"},
		{name: "bad session", body: `{"session":"s 1","text":"hi"}`, code: codeBadRequest},
		{name: "long session", body: `{"session":"` + strings.Repeat("s", 65) + `","text":"hi"}`, code: codeBadRequest},
		{name: "bad id", body: `{"id":"\u00e9","text":"hi"}`, code: codeBadRequest},
		{name: "too large", body: `{"text":"` + strings.Repeat("t", 11) + `"}`, code: codeTooLarge},
		{name: "not JSON", body: `text=hi`, code: codeBadRequest},
		{name: "array", body: `[]`, code: codeBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseChatRequest([]byte(tt.body), 10)
			if tt.code != "" {
				if err == nil || err.code != tt.code {
					t.Fatalf("got %+v, %v; want error %q", m, err, tt.code)
				}
				return
			}
			if err != nil || string(m.session) != tt.session || string(m.id) != tt.id || m.text != tt.text {
				t.Fatalf("got %+v, %v", m, err)
			}
		})
	}
}

func TestIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := newID()
		if !validSession(id) || !validMessageID(id) || seen[id] {
			t.Fatalf("newID() = %q: invalid or repeated", id)
		}
		seen[id] = true
	}
	for _, s := range []string{"", "a b", "a/b", "é", strings.Repeat("a", 65), "a\x00"} {
		if validSession(s) {
			t.Errorf("validSession(%q) = true", s)
		}
	}
}

// checkMessage checks what every accepted message must satisfy.
func checkMessage(t *testing.T, m userMessage, maxText int) {
	t.Helper()
	if m.text == "" || len(m.text) > maxText || strings.TrimSpace(m.text) != m.text {
		t.Fatalf("accepted text %q", m.text)
	}
	if m.id != "" && !validMessageID(string(m.id)) {
		t.Fatalf("accepted id %q", m.id)
	}
	if m.session != "" && !validSession(string(m.session)) {
		t.Fatalf("accepted session %q", m.session)
	}
}

func checkError(t *testing.T, err *requestError) {
	t.Helper()
	if err.code != codeBadRequest && err.code != codeTooLarge {
		t.Fatalf("error code %q", err.code)
	}
	if err.replyTo != "" && !validMessageID(err.replyTo) {
		t.Fatalf("reply_to echoes an invalid id %q", err.replyTo)
	}
	if !utf8.ValidString(err.message) || len(err.message) > 200 {
		t.Fatalf("error message %q", err.message)
	}
}

func FuzzParseFrame(f *testing.F) {
	for _, s := range []string{
		`{"type":"message","id":"m1","text":"hello"}`,
		`{"type":"message","id":"m1","text":""}`,
		`{"type":"typing","id":"` + strings.Repeat("x", 200) + `"}`,
		`{"type":"message","id":"m1","text":"\ud800"}`,
		`{"type":"message"`, `null`, `[]`, `"x"`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseFrame(data, 64)
		if err != nil {
			checkError(t, err)
			return
		}
		if m.id == "" || m.session != "" {
			t.Fatalf("accepted frame without id or with a session: %+v", m)
		}
		checkMessage(t, m, 64)
	})
}

func FuzzParseChatRequest(f *testing.F) {
	for _, s := range []string{
		`{"session":"abc","id":"1","text":"hi"}`,
		`{"text":"hi"}`,
		`{"session":"../../x","text":"hi"}`,
		`{"text":"` + strings.Repeat("a", 100) + `"}`,
		`{"text":null}`, `{}`, ``, `0`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := parseChatRequest(body, 64)
		if err != nil {
			checkError(t, err)
			return
		}
		checkMessage(t, m, 64)
	})
}
