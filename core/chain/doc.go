// Package chain owns fail-over between model providers: a Chain tries an
// ordered list of Members (each a core.Streamer with its retry policy and
// circuit breaker), retrying retryable failures with capped, jittered
// backoff that honours Retry-After, and handing over to the next provider
// when one fails before any text was streamed. It is pure logic over
// core.Streamer and core.ProviderError: it knows no provider SDK.
package chain
