package core

import "fmt"

// GroupTrigger says which group messages the bot answers. Direct messages
// are always answered.
type GroupTrigger uint8

// Group triggers.
const (
	// TriggerMention answers messages that mention the bot, reply to it, or
	// start with a command.
	TriggerMention GroupTrigger = iota
	// TriggerAll answers every message.
	TriggerAll
	// TriggerCommand answers only messages that start with a command.
	TriggerCommand
)

// triggerNames are the triggers' names, indexed by value.
func triggerNames() []string { return []string{"mention", "all", "command"} }

// String returns "mention", "all" or "command".
func (t GroupTrigger) String() string { return nameOf(triggerNames(), int(t)) }

// ParseGroupTrigger parses "mention", "all" or "command"; "" is "mention".
func ParseGroupTrigger(s string) (GroupTrigger, error) {
	n, err := parseName(triggerNames(), s)
	return GroupTrigger(n), err
}

// Valid reports whether t is one of the defined triggers.
func (t GroupTrigger) Valid() bool { return int(t) < len(triggerNames()) }

// MarshalText encodes t as its name.
func (t GroupTrigger) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText parses a name accepted by ParseGroupTrigger.
func (t *GroupTrigger) UnmarshalText(b []byte) error {
	v, err := ParseGroupTrigger(string(b))
	if err == nil {
		*t = v
	}
	return err
}

// Scope says how a group chat is divided into conversations.
type Scope uint8

// Conversation scopes.
const (
	// ScopeChat makes a whole chat one conversation; a thread or topic the
	// platform reports is a conversation of its own.
	ScopeChat Scope = iota
	// ScopeUser gives every member of a group (or thread) a conversation of
	// their own.
	ScopeUser
	// ScopeThread makes every thread a conversation: a message outside any
	// thread opens a new one, rooted at itself.
	ScopeThread
)

// scopeNames are the scopes' names, indexed by value.
func scopeNames() []string { return []string{"chat", "user", "thread"} }

// String returns "chat", "user" or "thread".
func (s Scope) String() string { return nameOf(scopeNames(), int(s)) }

// Valid reports whether s is one of the defined scopes.
func (s Scope) Valid() bool { return int(s) < len(scopeNames()) }

// ParseScope parses "chat", "user" or "thread"; "" is "chat".
func ParseScope(s string) (Scope, error) {
	n, err := parseName(scopeNames(), s)
	return Scope(n), err
}

// MarshalText encodes s as its name.
func (s Scope) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses a name accepted by ParseScope.
func (s *Scope) UnmarshalText(b []byte) error {
	v, err := ParseScope(string(b))
	if err == nil {
		*s = v
	}
	return err
}

// GroupPolicy is how the bot behaves in a platform's group chats: which
// messages it answers and how the group is divided into conversations. Each
// adapter's config section embeds it, so every platform has the same keys;
// the dispatcher applies it.
type GroupPolicy struct {
	// Trigger is the group_trigger key: "mention", "all" or "command".
	Trigger GroupTrigger `toml:"group_trigger"`
	// Scope is the group_scope key: "chat", "user" or "thread".
	Scope Scope `toml:"group_scope"`
}

// Validate reports an undefined trigger or scope as "key: problem".
func (p GroupPolicy) Validate() []string {
	var problems []string
	if !p.Trigger.Valid() {
		problems = append(problems, fmt.Sprintf("group_trigger: want one of %q, got %s", triggerNames(), p.Trigger))
	}
	if !p.Scope.Valid() {
		problems = append(problems, fmt.Sprintf("group_scope: want one of %q, got %s", scopeNames(), p.Scope))
	}
	return problems
}

// addresses reports whether a group message meant for the bot by its flags
// (isCommand: it starts with a command) is answered under p.
func (p GroupPolicy) addresses(env Envelope, isCommand bool) bool {
	switch p.Trigger {
	case TriggerAll:
		return true
	case TriggerCommand:
		return isCommand
	}
	return env.MentionsBot || env.RepliesToBot || isCommand
}

func nameOf(names []string, i int) string {
	if i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("invalid(%d)", i)
}

// parseName returns the index of s in names; "" is the first.
func parseName(names []string, s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	for i, n := range names {
		if n == s {
			return i, nil
		}
	}
	return 0, fmt.Errorf("want one of %q, got %q", names, s)
}
