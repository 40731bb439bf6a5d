// Package safety owns the [safety] configuration section (the sensitive
// words file, the refusal reply, personal-data masking patterns and
// restoring, and the input length limit) and the Guard that applies the
// sensitive words and the input limit to every turn. The matching logic
// lives in its sub-packages: words (sensitive-word matching and masking)
// and pii (personal-data placeholders and restoring).
package safety
