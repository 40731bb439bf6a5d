package core

import "strings"

// allowList decides who may talk to the bot. The zero value allows everyone.
type allowList struct {
	all     bool
	entries map[string]struct{}
}

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
	for _, k := range [...]string{p + "*", p + string(env.UserID), p + "chat:" + string(env.ChatID)} {
		if _, ok := a.entries[k]; ok {
			return true
		}
	}
	return false
}
