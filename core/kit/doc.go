// Package kit holds the small building blocks every part of imbot shares,
// written once: a context-aware sleep, capped exponential backoff with
// jitter, a pooled HTTP transport and bounded, deadline-guarded reads of a
// request body. It imports the standard library only, so core may use it.
package kit
