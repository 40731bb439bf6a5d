package openai

import (
	"context"

	"imbot/core"
)

// Verify asks the provider for a one-token completion, the cheapest call that
// proves the base URL, the key and the model name together. The caller
// bounds it with ctx; the error is an *Error with the key redacted.
func (c *Client) Verify(ctx context.Context) error {
	req := core.ModelRequest{Messages: []core.ModelMessage{{Role: "user", Content: "ping"}}, MaxTokens: 1}
	_, err := c.Stream(ctx, req, func(string) {})
	return err
}
