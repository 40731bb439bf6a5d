// Package record is the versioned binary encoding of the store's records
// (messages, pending turns, dedup marks, cursors, counters, vectors,
// unanswered questions, conversation states, turn records, chat summaries),
// shared by every store backend so that they read, write and validate
// records alike. Each record starts with its version byte; a decoder accepts
// every version it knows, so a later release reads what an earlier one
// wrote. Decoding never panics on any input and fails with an error wrapping
// ErrCorrupt.
package record
