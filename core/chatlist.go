package core

import "time"

// ChatSummary describes one of a user's conversations in a list of them
// (the web chat's conversation list): which chat, its title and when it was
// started and last used.
type ChatSummary struct {
	Chat    ChatID
	Title   string
	Created time.Time
	Updated time.Time
}
