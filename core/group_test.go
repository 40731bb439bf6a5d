package core

import (
	"testing"
)

func TestParseGroupPolicy(t *testing.T) {
	for _, name := range []string{"mention", "all", "command"} {
		tr, err := ParseGroupTrigger(name)
		if err != nil || tr.String() != name {
			t.Errorf("ParseGroupTrigger(%q) = %v, %v", name, tr, err)
		}
	}
	for _, name := range []string{"chat", "user", "thread"} {
		var s Scope
		if err := s.UnmarshalText([]byte(name)); err != nil || s.String() != name || !s.Valid() {
			t.Errorf("Scope.UnmarshalText(%q) = %v, %v", name, s, err)
		}
	}
	if _, err := ParseGroupTrigger("always"); err == nil {
		t.Error("ParseGroupTrigger accepted \"always\"")
	}
	if _, err := ParseScope("room"); err == nil {
		t.Error("ParseScope accepted \"room\"")
	}
	if tr, _ := ParseGroupTrigger(""); tr != TriggerMention {
		t.Errorf("empty trigger = %v, want mention", tr)
	}
	if p := (GroupPolicy{Trigger: 7, Scope: 7}).Validate(); len(p) != 2 {
		t.Errorf("Validate of an undefined trigger and scope = %q", p)
	}
	if p := (GroupPolicy{Trigger: TriggerCommand, Scope: ScopeThread}).Validate(); p != nil {
		t.Errorf("Validate of a good policy = %q", p)
	}
}

func TestConversationKey(t *testing.T) {
	group := Envelope{Platform: "telegram", ChatID: "-100", ChatKind: ChatGroup, ThreadID: "42", UserID: "7", MessageID: "9"}
	cases := []struct {
		name  string
		scope Scope
		kind  ChatKind
		want  string
	}{
		{"chat", ScopeChat, ChatGroup, "telegram\x00-100\x00t:42"},
		{"user", ScopeUser, ChatGroup, "telegram\x00-100\x00t:42\x00u:7"},
		{"user scope ignored in direct chats", ScopeUser, ChatDirect, "telegram\x00-100\x00t:42"},
		{"thread", ScopeThread, ChatGroup, "telegram\x00-100\x00t:42"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := group
			e.Scope, e.ChatKind = tc.scope, tc.kind
			k := e.Conversation()
			if k.String() != tc.want {
				t.Fatalf("key %q, want %q (the bytes earlier releases stored)", k.String(), tc.want)
			}
			back, err := ParseConversationKey(k.String())
			if err != nil || back != k {
				t.Fatalf("ParseConversationKey = %+v, %v; want %+v", back, err, k)
			}
		})
	}
	e := group
	e.ThreadID, e.Scope = "", ScopeThread
	if k := e.Conversation(); k.Thread != "9" {
		t.Errorf("a message outside a thread opens thread %q, want its own id", k.Thread)
	}
	if l := (ConversationKey{Platform: "web", Chat: "s1"}).Label(); l != "web/s1" {
		t.Errorf("Label = %q", l)
	}
	for _, bad := range []string{"", "web", "\x00c", "web\x00c\x00x:1", "web\x00c\x00u:1\x00t:2"} {
		if _, err := ParseConversationKey(bad); err == nil {
			t.Errorf("ParseConversationKey(%q) accepted", bad)
		}
	}
}

func FuzzParseConversationKey(f *testing.F) {
	f.Add("telegram\x00-100\x00t:42\x00u:7")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseConversationKey(s)
		if err != nil {
			return
		}
		if again, err := ParseConversationKey(k.String()); err != nil || again != k {
			t.Fatalf("%q: round trip %+v → %+v, %v", s, k, again, err)
		}
	})
}
