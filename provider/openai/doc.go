// Package openai talks to OpenAI-compatible chat models through go-openai:
// one Client per configured provider, streamed answers with first-token and
// total timeouts, Retry-After read from failed responses, and typed errors
// (*Error) that chains classify through core.ProviderError. The
// [[providers]] config table is defined here too. Fail-over between
// providers and circuit breaking are core/chain's business.
package openai
