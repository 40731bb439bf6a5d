package openai

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"

	goopenai "github.com/sashabaranov/go-openai"

	"imbot/core"
)

// Client talks to one OpenAI-compatible provider. It makes exactly one
// attempt per call; retries, fail-over and circuit breaking are a chain's
// business. A Client is safe for concurrent use; Stream and Embed may run
// from many goroutines at once, also while SetAPIKey replaces the key.
type Client struct {
	cfg     Config
	keyed   atomic.Pointer[keyed]
	hc      doer
	clock   Clock
	log     *slog.Logger
	metrics metrics
	// completionTokens sends the cap as max_completion_tokens, for models
	// that refuse max_tokens; others get the widely supported max_tokens.
	completionTokens bool
}

// NewClient checks cfg and returns a client for it. It starts nothing and
// sends nothing. cfg.APIKey must already be resolved.
func NewClient(cfg Config, opts ...Option) (*Client, error) {
	if problems := cfg.Validate(); len(problems) > 0 {
		return nil, fmt.Errorf("provider %s: invalid config: %s", cfg.Name, strings.Join(problems, "; "))
	}
	o := buildOptions(opts)
	hc := o.httpClient
	if hc == nil {
		hc = &http.Client{}
	}
	c := &Client{
		cfg:     cfg,
		hc:      doer{next: hc, now: o.clock.Now, maxBytes: o.maxResponseBytes},
		clock:   o.clock,
		log:     o.logger.With("provider", cfg.Name),
		metrics: newMetrics(o.meter),
	}
	c.SetAPIKey(cfg.APIKey)
	c.cfg.APIKey = "" // the key lives in keyed alone, so it has one current value
	if err := c.checkModelParams(); err != nil {
		return nil, fmt.Errorf("provider %s: model %s: %w", cfg.Name, cfg.Model, err)
	}
	return c, nil
}

// keyed is the part of a Client that depends on the API key. A call loads it
// once and keeps it to the end, so a key replaced meanwhile does not touch
// calls in flight.
type keyed struct {
	api *goopenai.Client
	cls classifier
}

// SetAPIKey replaces the API key sent with every call started from now on.
// Calls in flight finish with the key they started with. The HTTP client,
// and so its pooled connections, is kept. It is safe to call concurrently
// with Stream, Embed, Ping and itself; the caller checks the key first, as
// NewClient does (an empty key is sent as no key).
func (c *Client) SetAPIKey(key string) {
	oc := goopenai.DefaultConfig(key)
	oc.BaseURL = strings.TrimRight(c.cfg.BaseURL, "/")
	oc.HTTPClient = c.hc
	oc.EmptyMessagesLimit = defaultEmptyMessagesLimit
	c.keyed.Store(&keyed{
		api: goopenai.NewClientWithConfig(oc),
		cls: classifier{provider: c.cfg.Name, apiKey: key},
	})
}

// checkModelParams asks go-openai's own model rules whether the configured
// sampling parameters suit the model, switching to max_completion_tokens
// where the model refuses max_tokens.
func (c *Client) checkModelParams() error {
	err := goopenai.NewReasoningValidator().Validate(c.chatRequest(1))
	if errors.Is(err, goopenai.ErrReasoningModelMaxTokensDeprecated) {
		c.completionTokens = true
		err = goopenai.NewReasoningValidator().Validate(c.chatRequest(1))
	}
	return err
}

// Name returns the configured provider name.
func (c *Client) Name() string { return c.cfg.Name }

// Model returns the configured model.
func (c *Client) Model() string { return c.cfg.Model }

// ThirdParty reports whether user text sent here leaves the operator's
// infrastructure.
func (c *Client) ThirdParty() bool { return c.cfg.ThirdParty }

var _ core.Streamer = (*Client)(nil)

// chatRequest is go-openai's request for a completion of at most maxTokens
// (0: the configured max_tokens), without the messages: the doer puts them
// into the body (body.go).
func (c *Client) chatRequest(maxTokens int) goopenai.ChatCompletionRequest {
	out := goopenai.ChatCompletionRequest{
		Model:         c.cfg.Model,
		Stream:        true,
		StreamOptions: &goopenai.StreamOptions{IncludeUsage: true},
		Temperature:   float32(c.cfg.Temperature),
	}
	limit := c.cfg.MaxTokens
	if maxTokens > 0 {
		limit = maxTokens
	}
	if c.completionTokens {
		out.MaxCompletionTokens = limit
	} else {
		out.MaxTokens = limit
	}
	return out
}

// Embed returns one embedding vector per text, in order, computed by model
// at the provider's /embeddings endpoint. Texts are sent in batches of
// embedBatchSize; each batch is one attempt bounded by the total timeout
// and does not go through the breaker. Failures are *Error values whose
// Retryable and RetryAfter tell the caller whether to try again.
func (c *Client) Embed(ctx context.Context, model string, texts []string) ([][]float32, error) {
	if model == "" {
		return nil, c.keyed.Load().cls.final(errors.New("embed: no model given"))
	}
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += embedBatchSize {
		vecs, err := c.embedBatch(ctx, model, texts[start:min(len(texts), start+embedBatchSize)])
		if err != nil {
			return nil, err
		}
		out = append(out, vecs...)
	}
	return out, nil
}

// Ping asks the provider for its model list, so that a connection is open
// (and kept in the pool) before the first user needs one. It is bounded by
// ctx and the total timeout and does not go through the breaker. nil means
// the provider answered; an *Error with a Status means it answered with an
// HTTP error (reachable, but the key or the URL may be wrong); any other
// error means it could not be reached.
func (c *Client) Ping(ctx context.Context) error {
	callCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := c.clock.AfterFunc(c.cfg.Timeout, func() { cancel(ErrTimeout) })
	defer stop()
	k := c.keyed.Load()
	if _, err := k.api.ListModels(callCtx); err != nil {
		return k.cls.classify(ctx, callCtx, fmt.Errorf("ping: %w", err), 0)
	}
	return nil
}

// embedBatchSize bounds the texts per embeddings request, which keeps the
// response well under the response size limit.
const embedBatchSize = 64

func (c *Client) embedBatch(ctx context.Context, model string, batch []string) ([][]float32, error) {
	callCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := c.clock.AfterFunc(c.cfg.Timeout, func() { cancel(ErrTimeout) })
	defer stop()
	callCtx, holder := withRetryAfterHolder(callCtx)
	k := c.keyed.Load()
	resp, err := k.api.CreateEmbeddings(callCtx, goopenai.EmbeddingRequestStrings{
		Input:          batch,
		Model:          goopenai.EmbeddingModel(model),
		EncodingFormat: goopenai.EmbeddingEncodingFormatFloat,
	})
	if err != nil {
		return nil, k.cls.classify(ctx, callCtx, fmt.Errorf("embed: %w", err), holder.get())
	}
	vecs, err := orderEmbeddings(resp.Data, len(batch))
	if err != nil {
		return nil, k.cls.final(fmt.Errorf("embed: %w", err))
	}
	return vecs, nil
}

// orderEmbeddings checks a provider's embeddings answer (one vector per
// input, indexes in range and unique, equal non-zero dimensions) and returns
// the vectors in input order.
func orderEmbeddings(data []goopenai.Embedding, n int) ([][]float32, error) {
	if len(data) != n {
		return nil, fmt.Errorf("got %d vectors for %d texts", len(data), n)
	}
	vecs := make([][]float32, n)
	for _, d := range data {
		switch {
		case d.Index < 0 || d.Index >= n:
			return nil, fmt.Errorf("vector index %d out of range", d.Index)
		case vecs[d.Index] != nil:
			return nil, fmt.Errorf("vector index %d repeated", d.Index)
		case len(d.Embedding) == 0:
			return nil, fmt.Errorf("vector %d is empty", d.Index)
		case len(d.Embedding) != len(data[0].Embedding):
			return nil, fmt.Errorf("vector %d has %d dimensions, want %d", d.Index, len(d.Embedding), len(data[0].Embedding))
		}
		vecs[d.Index] = d.Embedding
	}
	return vecs, nil
}
