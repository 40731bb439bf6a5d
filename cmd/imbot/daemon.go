package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"imbot/adapters/feishu"
	"imbot/adapters/openaiapi"
	"imbot/adapters/terminal"
	"imbot/admin"
	"imbot/core"
	"imbot/core/catalog"
	"imbot/core/chain"
	"imbot/core/experiment"
	"imbot/core/faq"
	"imbot/core/kit"
	"imbot/core/safety"
	"imbot/core/safety/pii"
	"imbot/core/token"
	"imbot/knowledge"
	"imbot/metric"
	"imbot/provider/openai"
	"imbot/store/storage"
)

// daemon is everything `imbot serve` runs, built from the configuration.
type daemon struct {
	cfg        Config
	log        *slog.Logger
	metrics    *metric.Registry
	store      storage.Backend
	clients    map[string]*openai.Client
	members    map[string]*chain.Member
	masker     *pii.Masker // personal data for third-party providers
	chains     []*chain.Chain
	knowledge  *knowledge.Base
	coord      coordination // with the other replicas on the store
	router     *core.Router
	guard      *safety.Guard
	dispatcher *core.Dispatcher
	texts      *catalog.Catalog
	picker     *catalog.Picker
	adapters   []core.Adapter
	remote     *terminal.Remote // `imbot chat` turns while serving
	feishu     *feishu.Adapter  // nil unless enabled; a reload replaces its webhook secrets
	armChains  map[string]core.Streamer
	// level is the log level a reload sets; nil when the logger was not
	// built by openDaemon.
	level *slog.LevelVar
	// modelsDown is set while the warm-up and its retries reach no provider.
	modelsDown atomic.Bool
	// admin is the operational surface; a reload sets its token.
	admin *admin.Server
	// api is the OpenAI-compatible API; nil unless [api] enables it.
	api *openaiapi.Server
	// readTimeout bounds reading one request, body included, so a client
	// that stalls mid-request cannot hold a connection. WebSockets set their
	// own deadlines once upgraded.
	readTimeout time.Duration
}

// requestReadTimeout is the daemon's readTimeout.
const requestReadTimeout = 30 * time.Second

// newDaemon opens the store and builds providers, router, adapters and
// dispatcher. Its only goroutine builds the knowledge base's index in the
// background (lookups wait for it), which fetches the knowledge base's
// embeddings when [router.embeddings] names a provider and the store has no
// cached vectors (bounded by its index_timeout); close ends it. On error
// nothing is left open.
func newDaemon(cfg Config, log *slog.Logger, withAdapters bool) (_ *daemon, err error) {
	d := &daemon{cfg: cfg, log: log, metrics: metric.NewRegistry(metric.WithBuildInfo(version)), readTimeout: requestReadTimeout}
	d.store, err = openStore(cfg.Store, log, d.metrics)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			d.close()
		}
	}()
	general, business, err := d.buildChains()
	if err != nil {
		return nil, err
	}
	if d.masker, err = pii.New(cfg.Safety.PIIPatterns); err != nil {
		return nil, err
	}
	d.metrics.GaugeFunc("imbot_models_reachable",
		"1 while at least one provider chain can answer, else 0 (every breaker open: only the FAQ and the degraded reply answer).",
		d.modelsReachable)
	if d.knowledge, err = knowledge.Open(context.Background(), cfg.Router.Config, log.With("component", "faq"), d.faqOptions()...); err != nil {
		return nil, err
	}
	d.store.KeepVectors(d.knowledge.UsesVector)
	if d.coord, err = d.openCoordination(context.Background()); err != nil {
		return nil, err
	}
	cal, err := token.NewCalibrator(cfg.Tokens, token.WithMetrics(d.metrics))
	if err != nil {
		return nil, err
	}
	if d.texts, d.picker, err = buildTexts(cfg); err != nil {
		return nil, err
	}
	first := cfg.Router.General[0]
	d.router, err = core.NewRouter(cfg.Router.RouterConfig, core.RouterDeps{
		History: d.store, General: general, Business: business, Knowledge: d.knowledge, Catalog: d.texts, Picker: d.picker,
		Privacy:    &core.Privacy{Masker: d.masker, Restore: cfg.Safety.RestorePII, Local: !d.anyThirdParty()},
		Unanswered: d.store, Usage: d.store, Logger: log.With("component", "router"), Metrics: d.metrics,
		Count: func(s string) int { return cal.Count(first, s) },
		ObserveUsage: func(p string, prompt []core.ModelMessage, reported int) {
			cal.Learn(p, reported, func() int { return cal.Encoding().CountMessages(contents(prompt)) })
		},
		Experiments: experiment.NewAssigner(cfg.Experiments), ArmChains: d.armChains,
	})
	if err != nil {
		return nil, err
	}
	ic, err := d.buildGuard(cfg, log)
	if err != nil {
		return nil, err
	}
	if withAdapters {
		if d.adapters, err = d.buildAdapters(); err != nil {
			return nil, err
		}
		d.remote = terminal.NewRemote()
		d.adapters = append(d.adapters, d.remote)
	}
	d.dispatcher, err = core.NewDispatcher(cfg.dispatcher(), d.store, d.store, d.guard, core.WithCoordinator(d.coord.coordinator),
		core.WithLogger(log.With("component", "dispatcher")), core.WithMetrics(d.metrics),
		core.WithCatalog(d.texts), core.WithPicker(d.picker),
		core.WithCommands(knowledge.Command(d.router.Admins, d.knowledge, d.store), ic.CancelCommand()))
	if err != nil {
		return nil, err
	}
	if d.admin, err = d.newAdmin(); err != nil {
		return nil, err
	}
	if cfg.API.Enabled {
		if d.api, err = d.openAIAPI(); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// buildChains makes a client per provider and the general and business
// chains from them; business is nil when [router] business is empty, so
// that the router does not ask the general chain twice.
func (d *daemon) buildChains() (general *chain.Chain, business core.Streamer, err error) {
	d.clients = map[string]*openai.Client{}
	d.members = map[string]*chain.Member{}
	members := d.members
	hc := &http.Client{Transport: providerTransport()}
	for _, pc := range d.cfg.Providers {
		c, err := openai.NewClient(pc, openai.WithHTTPClient(hc),
			openai.WithLogger(d.log.With("component", "provider")), openai.WithMetrics(d.metrics))
		if err != nil {
			return nil, nil, err
		}
		d.clients[pc.Name] = c
		if members[pc.Name], err = chain.NewMember(c, pc.Policy(), chain.WithMetrics(d.metrics),
			chain.WithLogger(d.log.With("component", "chain"))); err != nil {
			return nil, nil, err
		}
	}
	build := func(name string, names []string) (*chain.Chain, error) {
		ms := make([]*chain.Member, len(names))
		for i, n := range names {
			ms[i] = members[n]
		}
		ch, err := chain.New(name, ms, chain.WithLogger(d.log.With("component", "chain")), chain.WithMetrics(d.metrics))
		if err == nil {
			d.chains = append(d.chains, ch)
		}
		return ch, err
	}
	if general, err = build("general", d.cfg.Router.General); err != nil {
		return nil, nil, err
	}
	if d.armChains, err = armChains(d.cfg.Experiments, build); err != nil {
		return nil, nil, err
	}
	if len(d.cfg.Router.Business) == 0 {
		return general, nil, nil
	}
	biz, err := build("business", d.cfg.Router.Business)
	if err != nil {
		return nil, nil, err
	}
	return general, biz, nil
}

// contents lists the contents of a prompt's messages, for token counting.
func contents(prompt []core.ModelMessage) []string {
	out := make([]string, len(prompt))
	for i, m := range prompt {
		out[i] = m.Content
	}
	return out
}

// providerTransport keeps enough idle connections per provider host for
// the turns in flight. Streams are bounded by their context, not by a
// client timeout.
func providerTransport() *http.Transport {
	t := kit.PooledTransport(64)
	t.ResponseHeaderTimeout = 2 * time.Minute
	return t
}

// faqOptions are the knowledge base's options: logs, metrics and, when
// [router.embeddings] names a provider, its embeddings cached in the store
// (of texts with personal data masked, when the provider is third-party).
func (d *daemon) faqOptions() []faq.Option {
	opts := []faq.Option{faq.WithLogger(d.log.With("component", "faq")), faq.WithMetrics(d.metrics)}
	p := d.cfg.Router.Embeddings.Provider
	if p == "" {
		return opts
	}
	var e faq.Embedder = d.clients[p]
	if d.thirdParty(p) {
		e = safety.MaskEmbeddings(e, d.masker)
	}
	return append(opts, faq.WithEmbedder(e, d.store))
}

// anyThirdParty reports whether any configured provider is third-party.
func (d *daemon) anyThirdParty() bool {
	return slices.ContainsFunc(d.cfg.Providers, func(p openai.Config) bool { return p.ThirdParty })
}

// thirdParty reports whether the provider named name is third-party.
func (d *daemon) thirdParty(name string) bool {
	for _, p := range d.cfg.Providers {
		if p.Name == name {
			return p.ThirdParty
		}
	}
	return false
}

// suggestionCount is how many example questions a new web chat offers.
const suggestionCount = 4

// run serves until ctx ends, then shuts down in order: intake stops, turns
// in flight drain, adapters stop, the HTTP server closes, the store closes. ready is called
// once the listener is bound and the dispatcher is starting.
func (d *daemon) run(ctx context.Context, ready func(addr net.Addr)) error {
	h := d.handler()
	ln, err := net.Listen("tcp", d.cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: d.readTimeout,
		IdleTimeout: 2 * time.Minute,
		ErrorLog:    slog.NewLogLogger(d.log.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	sweepCtx, stopSweep := context.WithCancel(ctx)
	swept := make(chan struct{})
	go func() { defer close(swept); d.store.RunSweeper(sweepCtx, d.cfg.Store.SweepInterval) }()
	ready(ln.Addr())
	stopFollowing := d.followKnowledge(ctx)
	runErr := d.dispatcher.Run(ctx, d.adapters...)
	stopFollowing()
	stopSweep()
	<-swept
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		d.log.Warn("http shutdown", "err", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		runErr = errors.Join(runErr, fmt.Errorf("http: %w", err))
	}
	return runErr
}

// close stops listening to other replicas, ends the knowledge base's
// background build and releases the store.
func (d *daemon) close() error {
	d.coord.close()
	if d.knowledge != nil {
		d.knowledge.Close()
	}
	return d.store.Close()
}

// closeLogged releases the store and logs a failure.
func (d *daemon) closeLogged() {
	if err := d.close(); err != nil {
		d.log.Error("close store", "err", err)
	}
}
