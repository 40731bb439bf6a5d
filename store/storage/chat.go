package storage

import (
	"time"

	"imbot/core"
)

// ChatEdit changes one entry of a user's chat list. found is false when the
// list had no readable entry for the chat; sum is then zero. Every backend
// reads the entry, applies the edit, checks the title (CheckTitle) and
// writes the entry back in one transaction.
type ChatEdit func(sum *core.ChatSummary, found bool)

// TouchChat is the edit recording that the chat was used at at: a new entry
// gets title and at as its creation time, and the update time only moves
// forward.
func TouchChat(title string, at time.Time) ChatEdit {
	return func(sum *core.ChatSummary, found bool) {
		if !found {
			sum.Title, sum.Created = title, at
		}
		if at.After(sum.Updated) {
			sum.Updated = at
		}
	}
}

// RenameChat is the edit setting the chat's title; a new entry is created
// and updated at now.
func RenameChat(title string, now time.Time) ChatEdit {
	return func(sum *core.ChatSummary, found bool) {
		sum.Title = title
		if !found {
			sum.Created, sum.Updated = now, now
		}
	}
}
