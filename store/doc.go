// Package store owns imbot's on-disk state: one bbolt file holding the
// schema version, conversations and their messages, durable dedup marks,
// the pending inbox (with each turn's kept answer and reply ids), platform
// cursors, the unanswered-question queue, token usage counters, an embedding
// vector cache and an expiring index of the bot's reply messages. It also
// tracks its write health (last write error, free disk space) for readiness.
//
// A *Store implements core.Store and storage.Operator, and passes the
// conformance suite every backend shares (store/storetest). Every record is
// encoded in the small versioned binary format of store/record, so that a
// later release can read a file written by an earlier one;
// the file itself carries a schema version and Open refuses a file written
// by a newer schema.
//
// Writes on the hot path (Accept, Complete, usage, vectors) go through
// bbolt's DB.Batch, so concurrent turns share one fsync'd commit. Retention
// (expired dedup marks, idle conversations, overlong histories, old queue
// entries and usage) is applied by Sweep, which RunSweeper runs on a ticker.
//
// All methods of *Store are safe for concurrent use by multiple goroutines.
// A file may be open in only one process at a time; a second Open fails with
// an error matching ErrLocked.
package store
