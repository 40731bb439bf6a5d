package main

import (
	"imbot/adapters/openaiapi"
	"imbot/core/chain"
)

// apiProblems returns the problems of the [api] section, with their key
// paths; its keys are the web chat's tokens, so it needs one.
func (c *Config) apiProblems() []string {
	var problems []string
	for _, p := range c.API.Validate() {
		problems = append(problems, "api."+p)
	}
	if c.API.Enabled && !c.Adapters.Web.HasTokens() {
		problems = append(problems, "api.enabled: the API's keys are [adapters.web] tokens (or tokens_env); set at least one")
	}
	return problems
}

// openAIAPI builds the OpenAI-compatible API: the router as imbot-auto and
// each provider alone (its retries and breaker, no fail-over) by name.
func (d *daemon) openAIAPI() (*openaiapi.Server, error) {
	models := make([]openaiapi.Model, 0, len(d.cfg.Providers))
	for _, pc := range d.cfg.Providers {
		direct, err := chain.New("direct:"+pc.Name, []*chain.Member{d.members[pc.Name]},
			chain.WithLogger(d.log.With("component", "chain")), chain.WithMetrics(d.metrics))
		if err != nil {
			return nil, err
		}
		models = append(models, openaiapi.Model{Name: pc.Name, ID: pc.Model, Streamer: direct})
	}
	return openaiapi.New(d.cfg.API, openaiapi.Deps{
		Router: d.guard, Auth: d.cfg.Adapters.Web.KeyAuth(), Models: models,
		Unanswered: d.store, Picker: d.picker, Metrics: d.metrics,
		Logger: d.log.With("component", "api"),
	})
}
