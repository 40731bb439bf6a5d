package main

import (
	"testing"

	"imbot/store/postgres/pgtest"
)

// TestMain stops the throwaway PostgreSQL server the tests that need one
// start.
func TestMain(m *testing.M) { pgtest.Main(m) }
