package telegram

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"imbot/core"
)

func loadUpdate(t *testing.T, name string) *models.Update {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var u models.Update
	if err := json.Unmarshal(raw, &u); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &u
}

func TestParseUpdate(t *testing.T) {
	self := identity{id: 123456, username: "imbot_test_bot"}
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		file string
		disp disposition
		want core.Envelope // checked when disp is not dispIgnore
	}{
		{"dm_text", dispDeliver, core.Envelope{ChatID: "42", ChatKind: core.ChatDirect, MessageID: "7", EventID: "1001", Text: "What is Go?"}},
		{"group_plain", dispDeliver, core.Envelope{ChatID: "-100200", ChatKind: core.ChatGroup, MessageID: "7", EventID: "1002", Text: "just chatting"}},
		{"group_mention", dispDeliver, core.Envelope{ChatID: "-100200", ChatKind: core.ChatGroup, MessageID: "7", EventID: "1003", Text: "what is Go?", MentionsBot: true}},
		{"group_mention_middle", dispDeliver, core.Envelope{ChatID: "-100200", ChatKind: core.ChatGroup, MessageID: "7", EventID: "1004", Text: "hey explain this", MentionsBot: true}},
		{"group_reply", dispDeliver, core.Envelope{ChatID: "-100200", ChatKind: core.ChatGroup, MessageID: "7", EventID: "1005", Text: "and why?", RepliesToBot: true}},
		{"group_command", dispDeliver, core.Envelope{ChatID: "-100200", ChatKind: core.ChatGroup, MessageID: "7", EventID: "1006", Text: "/ask what is Go?"}},
		{"group_other_bot_command", dispIgnore, core.Envelope{}},
		{"edited", dispDeliver, core.Envelope{ChatID: "42", ChatKind: core.ChatDirect, MessageID: "7:e1700000100", EventID: "1008", Text: "What is Rust?"}},
		{"forum_topic", dispDeliver, core.Envelope{ChatID: "-100200", ChatKind: core.ChatGroup, ThreadID: "77", MessageID: "7", EventID: "1009", Text: "hi", MentionsBot: true}},
		{"photo_caption", dispDeliver, core.Envelope{ChatID: "42", ChatKind: core.ChatDirect, MessageID: "7", EventID: "1010", Text: "what is in this picture?"}},
		{"sticker_dm", dispNotice, core.Envelope{ChatID: "42", ChatKind: core.ChatDirect, MessageID: "7", EventID: "1011"}},
		{"group_sticker", dispIgnore, core.Envelope{}},
		{"from_bot", dispIgnore, core.Envelope{}},
		{"emoji_mention", dispDeliver, core.Envelope{ChatID: "-100200", ChatKind: core.ChatGroup, MessageID: "7", EventID: "1013", Text: "😀 hi", MentionsBot: true}},
		{"channel_post", dispIgnore, core.Envelope{}},
		{"bad_entity", dispDeliver, core.Envelope{ChatID: "42", ChatKind: core.ChatDirect, MessageID: "7", EventID: "1016", Text: "hi"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			env, disp := parseUpdate(loadUpdate(t, tt.file), self, now)
			if disp != tt.disp {
				t.Fatalf("disposition %d, want %d", disp, tt.disp)
			}
			if disp == dispIgnore {
				return
			}
			want := tt.want
			want.Platform, want.Received, want.UserID, want.UserName = Platform, now, "42", "Ann"
			if env != want {
				t.Errorf("envelope\n got %+v\nwant %+v", env, want)
			}
		})
	}
}

func TestTargetOf(t *testing.T) {
	tests := []struct {
		name    string
		env     core.Envelope
		want    target
		wantErr bool
	}{
		{"direct", core.Envelope{ChatID: "42", MessageID: "7"}, target{chat: 42, direct: true}, false},
		{"group replies", core.Envelope{ChatID: "-100", ChatKind: core.ChatGroup, MessageID: "9:e17"}, target{chat: -100, replyTo: 9}, false},
		{"topic", core.Envelope{ChatID: "-100", ChatKind: core.ChatGroup, ThreadID: "77", MessageID: "9"}, target{chat: -100, thread: 77, replyTo: 9}, false},
		{"bad chat", core.Envelope{ChatID: "web-1", MessageID: "9"}, target{}, true},
		{"bad message", core.Envelope{ChatID: "-1", ChatKind: core.ChatGroup, MessageID: "x"}, target{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := targetOf(tt.env)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("targetOf = %+v, %v; want %+v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}
