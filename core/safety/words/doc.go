// Package words owns sensitive-word matching: the words-file format, the
// folding that makes matching case-, width- and (for common characters)
// traditional/simplified-insensitive, an Aho–Corasick automaton over the
// folded words, one-shot checks and masking, and a streaming masker for
// answers that arrive in chunks.
//
// Folding maps every rune to exactly one rune, so a rune offset in the
// folded text is the same rune offset in the original text; masking
// therefore replaces the original runes of each hit, whatever their case or
// width.
package words
