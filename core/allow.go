package core

import "strings"

// allowList decides who may talk to the bot.
type allowList struct {
	all     bool // no entries were given: everyone may
	entries map[string]struct{}
}

// newAllowList parses entries ("platform:user_id", "platform:chat:chat_id"
// or "platform:*"); none allows everyone.
func newAllowList(entries []string) allowList {
	if len(entries) == 0 {
		return allowList{all: true}
	}
	a := allowList{entries: make(map[string]struct{}, len(entries))}
	for _, e := range entries {
		a.entries[strings.TrimSpace(e)] = struct{}{}
	}
	return a
}

func (a allowList) allows(env Envelope) bool {
	if a.all {
		return true
	}
	p := string(env.Platform) + ":"
	for _, k := range [...]string{p + "*", env.Sender(), p + "chat:" + string(env.ChatID)} {
		if _, ok := a.entries[k]; ok {
			return true
		}
	}
	return false
}
