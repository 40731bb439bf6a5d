// Package safety owns the [safety] configuration section: the sensitive
// words file, the refusal reply, personal-data masking patterns and
// restoring, and the input length limit. The logic lives in its
// sub-packages: words (sensitive-word matching and masking) and pii
// (personal-data placeholders and restoring).
package safety
