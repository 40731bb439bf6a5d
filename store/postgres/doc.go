// Package postgres is the PostgreSQL store backend: the same contract as the
// embedded bbolt store (core.Store and storage.Operator, checked by the
// shared conformance suite store/storetest), shared by several imbot
// replicas. Its schema is created and upgraded by versioned migrations
// embedded in the binary (Migrate), each applied once under an advisory
// lock.
//
// Records keep the bbolt file's encoding: each row's record column holds the
// versioned binary record of package store/record, and identifiers are bytea
// (they may hold NUL separators). The columns beside it are what queries
// filter, order and join on: expiry times, acceptance order, a
// conversation's message sequence, the user a row belongs to. Times in
// columns have microseconds; the records keep nanoseconds, and reads compare
// exactly after decoding.
//
// Every write that must be atomic runs in one transaction: Accept claims the
// dedup marks with INSERT … ON CONFLICT and inserts the pending row, so of
// two replicas accepting the same message exactly one wins; Complete appends
// the messages, files the turn record and deletes the pending rows. Pending
// rows carry nullable owner and lease_until columns for replica leases, and
// a pinned flag for turns that must run on the replica that accepted them
// (see Cluster). A replica's Complete first locks its turn's pending rows
// and records only while no other replica took them over (fence.go).
//
// When the server cannot be reached, every method fails with an error
// (never a panic), Check fails (so /readyz answers 503), and the outage is
// logged once when it starts, then at doubling intervals, and once when it
// ends; the pool dials again on the next query.
package postgres
