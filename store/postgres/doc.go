// Package postgres is the PostgreSQL store backend: the same contract as the
// embedded bbolt store, shared by several imbot replicas. Its schema is
// created and upgraded by versioned migrations embedded in the binary
// (Migrate), each applied once under an advisory lock.
package postgres
