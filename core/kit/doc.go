// Package kit holds the small building blocks every part of imbot shares,
// written once: a context-aware sleep, capped exponential backoff with
// jitter, a pooled HTTP transport, bounded, deadline-guarded reads of a
// request body and JSON strings written without reflection. It imports the
// standard library only, so core may use it.
package kit
