// Package drills holds fault drills against the real binary: tests behind
// the "drills" build tag that build imbot, start it as a process against the
// project's fakes, break things (kill -9, SIGTERM with turns in flight,
// provider faults, a flooding client, a full disk) and count what was lost,
// doubled, refused and answered. Run them with `make drills`.
package drills
