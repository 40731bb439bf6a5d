// Package token owns token accounting for prompts: a fast, allocation-free
// estimator of how many tokens a text costs in an OpenAI-style BPE
// tokenizer, and a Calibrator that corrects the estimate per provider from
// the prompt token counts providers report in their usage.
//
// The estimator classifies each character by script (CJK ideographs, kana,
// hangul, Latin words by length, digit groups, punctuation, whitespace,
// other bytes) and weighs the tallies with coefficients fitted offline
// against the o200k_base and cl100k_base tokenizers on English and Chinese
// text. It embeds no vocabulary, so it costs no memory and never loads
// anything at run time. Every estimate is biased to count slightly more
// tokens than the real tokenizer, so that history trimmed to a budget does
// not overshoot it.
package token
