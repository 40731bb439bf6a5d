package faq

import (
	"fmt"
	"time"
)

// Default thresholds. They are confidences (see Result.Confidence): the
// estimated probability that the best match is right, not raw scores, so they
// hold for any knowledge base; see docs/faq.md for how they were measured.
// The FAQ answers when the best match is right with probability 0.7 or more,
// so its answers as a whole are right more often than that (≥ 0.9 on
// CLINC150 with one example per intent). The business chain gets knowledge
// passages when the best match has a fair chance (0.15) of being the one.
const (
	DefaultAnswerThreshold   = 0.7
	DefaultBusinessThreshold = 0.15
)

// Config is the FAQ part of the [router] section. The router embeds it, so
// its keys sit directly in [router] and [router.embeddings].
type Config struct {
	// FAQFile is the knowledge base file; empty means the built-in one.
	FAQFile string `toml:"faq_file"`
	// AnswerThreshold is the confidence at or above which the FAQ answers.
	AnswerThreshold float64 `toml:"answer_threshold"`
	// BusinessThreshold is the confidence at or above which the business
	// chain answers with knowledge passages.
	BusinessThreshold float64 `toml:"business_threshold"`
	// KnowledgePassages is how many of the best answers the business chain
	// gets in its system prompt.
	KnowledgePassages int `toml:"knowledge_passages"`
	// Embeddings optionally fuses embedding similarity with the lexical one.
	Embeddings EmbeddingsConfig `toml:"embeddings"`
}

// EmbeddingsConfig is [router.embeddings].
type EmbeddingsConfig struct {
	// Provider names the provider whose /v1/embeddings is used; empty
	// disables embeddings.
	Provider string `toml:"provider"`
	// Model is the embedding model.
	Model string `toml:"model"`
	// Timeout bounds embedding one query; past it the search is lexical.
	Timeout time.Duration `toml:"timeout"`
	// IndexTimeout bounds fetching every document's vector when the
	// knowledge base is (re)loaded; past it the index is lexical only.
	IndexTimeout time.Duration `toml:"index_timeout"`
	// BatchSize is how many texts one embeddings request carries.
	BatchSize int `toml:"batch_size"`
}

// DefaultConfig returns the defaults: the built-in knowledge base, the
// default thresholds, 3 passages and no embeddings.
func DefaultConfig() Config {
	return Config{
		AnswerThreshold:   DefaultAnswerThreshold,
		BusinessThreshold: DefaultBusinessThreshold,
		KnowledgePassages: 3,
		Embeddings: EmbeddingsConfig{
			Timeout:      300 * time.Millisecond,
			IndexTimeout: 2 * time.Minute,
			BatchSize:    64,
		},
	}
}

// Thresholds returns the configured thresholds.
func (c Config) Thresholds() Thresholds {
	return Thresholds{Answer: c.AnswerThreshold, Business: c.BusinessThreshold}
}

// Validate returns every problem as "key: problem", keys relative to the
// section ([router]).
func (c Config) Validate() []string {
	var ps []string
	if c.AnswerThreshold <= 0 || c.AnswerThreshold > 1 {
		ps = append(ps, fmt.Sprintf("answer_threshold: %v is not in (0, 1]", c.AnswerThreshold))
	}
	if c.BusinessThreshold < 0 || c.BusinessThreshold > c.AnswerThreshold {
		ps = append(ps, fmt.Sprintf("business_threshold: %v is not in [0, answer_threshold]", c.BusinessThreshold))
	}
	if c.KnowledgePassages < 0 || c.KnowledgePassages > MaxMatches {
		ps = append(ps, fmt.Sprintf("knowledge_passages: %d is not in [0, %d]", c.KnowledgePassages, MaxMatches))
	}
	return append(ps, c.Embeddings.validate()...)
}

func (e EmbeddingsConfig) validate() []string {
	if e.Provider == "" {
		return nil
	}
	var ps []string
	if e.Model == "" {
		ps = append(ps, "embeddings.model: required when embeddings.provider is set")
	}
	if e.Timeout <= 0 {
		ps = append(ps, "embeddings.timeout: must be positive")
	}
	if e.IndexTimeout <= 0 {
		ps = append(ps, "embeddings.index_timeout: must be positive")
	}
	if e.BatchSize < 1 || e.BatchSize > 2048 {
		ps = append(ps, fmt.Sprintf("embeddings.batch_size: %d is not in [1, 2048]", e.BatchSize))
	}
	return ps
}
