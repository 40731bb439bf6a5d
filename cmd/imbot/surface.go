package main

import (
	"net/http"

	"imbot/admin"
	"imbot/core"
)

// newAdmin builds the operational surface (health, readiness, metrics,
// admin API, profiles) over the daemon's parts.
func (d *daemon) newAdmin() (*admin.Server, error) {
	deps := admin.Deps{
		Store: d.store,
		Checks: append([]admin.Check{{Name: "store", Ready: d.store.Check}, {Name: "dispatcher", Ready: d.dispatcher.Alive}},
			admin.AdapterChecks(d.adapters)...),
		Providers: d.providerReport,
		Metrics:   d.metrics,
		Logger:    d.log.With("component", "admin"),
	}
	if d.remote != nil {
		deps.Chat = d.remote
	}
	return admin.New(d.cfg.Server.admin(), deps)
}

// handler is the daemon's HTTP routes: the operational surface and
// whatever the adapters mount.
func (d *daemon) handler() http.Handler {
	mux := http.NewServeMux()
	d.admin.Mount(mux)
	for _, a := range d.adapters {
		if m, ok := a.(core.Mounter); ok {
			m.Mount(mux)
		}
	}
	if d.api != nil {
		d.api.Mount(mux)
	}
	return mux
}

// providerReport tells /readyz whether a model is reachable (a chain is
// usable and the warm-up did not find every provider down) and each
// provider's breaker state.
func (d *daemon) providerReport() (usable bool, out []admin.ProviderStatus) {
	for _, ch := range d.chains {
		usable = usable || ch.Usable()
		for _, s := range ch.States() {
			out = append(out, admin.ProviderStatus{Chain: ch.Name(), Name: s.Name, Model: s.Model,
				State: s.State.String(), ThirdParty: s.ThirdParty})
		}
	}
	return usable && !d.modelsDown.Load(), out
}

// modelsReachable is 1 while a model is reachable, else 0 (every breaker
// open, or no provider answered the warm-up): imbot_models_reachable.
func (d *daemon) modelsReachable() float64 {
	if usable, _ := d.providerReport(); usable {
		return 1
	}
	return 0
}

// admin is the admin surface's part of [server].
func (s ServerConfig) admin() admin.Config {
	return admin.Config{Listen: s.Listen, Token: s.AdminToken}
}
