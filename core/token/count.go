package token

import (
	"fmt"
	"math"
)

// Encoding names the tokenizer family an estimate is fitted to. Every
// encoding counts slightly more than its tokenizer on typical text (see
// docs/tokens.md for the measured error).
type Encoding uint8

// Encodings. Conservative is the zero value and the default.
const (
	// Conservative covers both families: it counts at least as much as the
	// larger of O200K and CL100K on typical text. Use it when the
	// provider's tokenizer is unknown.
	Conservative Encoding = iota
	// O200K is fitted to o200k_base (GPT-4o and later). Tokenizers with
	// large Chinese vocabularies, such as recent Qwen and DeepSeek ones,
	// are likely nearer to it than to CL100K; the Calibrator measures it.
	O200K
	// CL100K is fitted to cl100k_base (GPT-3.5/GPT-4 era; about 1.4 times
	// more tokens than O200K on Chinese).
	CL100K
	numEncodings
)

// PerMessage is the number of tokens a chat message costs beyond its
// content in the OpenAI chat format (role and separators). CountMessages
// adds it once per message and once more for the reply's priming.
const PerMessage = 4

// ParseEncoding returns the Encoding named s: "conservative", "o200k" or
// "cl100k".
func ParseEncoding(s string) (Encoding, error) {
	for e := Conservative; e < numEncodings; e++ {
		if e.String() == s {
			return e, nil
		}
	}
	return Conservative, fmt.Errorf("token: unknown encoding %q (want conservative, o200k or cl100k)", s)
}

// String returns the encoding's config name.
func (e Encoding) String() string {
	switch e {
	case Conservative:
		return "conservative"
	case O200K:
		return "o200k"
	case CL100K:
		return "cl100k"
	}
	return fmt.Sprintf("Encoding(%d)", uint8(e))
}

// Count returns the estimated number of tokens of text: 0 for "", at least
// 1 otherwise. It never allocates and is safe for concurrent use. An
// unknown Encoding counts as Conservative.
func (e Encoding) Count(text string) int {
	w := e.weights()
	return w.count(text, 1)
}

// Count estimates the tokens of text with the Conservative encoding.
func Count(text string) int {
	return Conservative.Count(text)
}

// CountMessages estimates the prompt tokens of a chat prompt whose
// messages have the given contents, as a provider counts them: each
// content plus PerMessage, plus PerMessage for the reply's priming. It
// returns 0 for no messages.
func (e Encoding) CountMessages(contents []string) int {
	w := e.weights()
	return w.countMessages(contents, 1)
}

// weights are the coefficients of one encoding: tokens per tally unit.
type weights [numFeatures]float64

// count weighs the tally of text, multiplies by scale and rounds to the
// nearest integer, at least 1 for a non-empty text: the bias towards
// overcounting is in the weights, so rounding adds none.
func (w *weights) count(text string, scale float64) int {
	if text == "" {
		return 0
	}
	t := scan(text)
	var sum float64
	for i, n := range t {
		sum += w[i] * float64(n)
	}
	return max(1, int(math.Round(sum*scale)))
}

// countMessages is count over each message's content, scaled, plus the
// chat format's overhead.
func (w *weights) countMessages(contents []string, scale float64) int {
	if len(contents) == 0 {
		return 0
	}
	n := PerMessage
	for _, c := range contents {
		n += w.count(c, scale) + PerMessage
	}
	return n
}
