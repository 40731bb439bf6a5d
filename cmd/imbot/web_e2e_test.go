package main

import (
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"imbot/core/catalog"
	"imbot/provider/openai/openaitest"
)

// webListFrame is a conversations or suggestions frame of the web chat.
type webListFrame struct {
	Type  string `json:"type"`
	Items []struct {
		Session string `json:"session"`
		Title   string `json:"title"`
	} `json:"items"`
	Questions []string `json:"questions"`
}

func readListFrame(t *testing.T, c *websocket.Conn, typ string) webListFrame {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var f webListFrame
	if err := c.ReadJSON(&f); err != nil || f.Type != typ {
		t.Fatalf("frame %+v (%v), want type %q", f, err, typ)
	}
	return f
}

// TestServeWebConversationsAndSuggestions checks the web chat's wiring: the
// conversation list is kept in the store and the suggested questions come
// from the knowledge base.
func TestServeWebConversationsAndSuggestions(t *testing.T) {
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Echo()))
	in := startServe(t, writeConfig(t, t.TempDir(), testSetup{model: model.URL()}))
	c, _, err := websocket.DefaultDialer.Dial("ws://"+in.addr+"/ws?user=browser-1&lang=zh", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	session := readFrame(t, c).Session
	readListFrame(t, c, "conversations")
	qs := readListFrame(t, c, "suggestions").Questions
	if len(qs) == 0 {
		t.Fatal("no suggested questions from the built-in knowledge base")
	}
	for _, q := range qs {
		if l, _ := catalog.Detect(q); l != catalog.ZH {
			t.Errorf("suggestion %q is not in Chinese", q)
		}
	}
	ask(t, c, "m1", "Tell me about owls")
	if err := c.WriteJSON(map[string]string{"type": "conversations"}); err != nil {
		t.Fatal(err)
	}
	list := readListFrame(t, c, "conversations").Items
	if len(list) != 1 || list[0].Session != session || list[0].Title != "Tell me about owls" {
		t.Fatalf("conversations %+v, want this session titled by its first message", list)
	}
}
