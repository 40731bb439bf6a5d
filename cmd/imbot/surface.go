package main

import (
	"net/http"

	"imbot/admin"
	"imbot/core"
)

// handler is the daemon's HTTP routes: the operational surface (health,
// readiness, metrics, admin API) and whatever the adapters mount.
func (d *daemon) handler() (http.Handler, error) {
	deps := admin.Deps{
		Store:     d.store,
		Checks:    append([]admin.Check{{Name: "store", Ready: d.store.Check}}, admin.AdapterChecks(d.adapters)...),
		Providers: d.providerReport,
		Metrics:   d.metrics,
		Logger:    d.log.With("component", "admin"),
	}
	if d.remote != nil {
		deps.Chat = d.remote
	}
	srv, err := admin.New(d.cfg.Server.admin(), deps)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	srv.Mount(mux)
	for _, a := range d.adapters {
		if m, ok := a.(core.Mounter); ok {
			m.Mount(mux)
		}
	}
	if d.cfg.API.Enabled {
		api, err := d.openAIAPI()
		if err != nil {
			return nil, err
		}
		api.Mount(mux)
	}
	return mux, nil
}

// providerReport tells /readyz whether any chain is usable and each
// provider's breaker state.
func (d *daemon) providerReport() (usable bool, out []admin.ProviderStatus) {
	for _, ch := range d.chains {
		usable = usable || ch.Usable()
		for _, s := range ch.States() {
			out = append(out, admin.ProviderStatus{Chain: ch.Name(), Name: s.Name, Model: s.Model,
				State: s.State.String(), ThirdParty: s.ThirdParty})
		}
	}
	return usable, out
}

// admin is the admin surface's part of [server].
func (s ServerConfig) admin() admin.Config {
	return admin.Config{Listen: s.Listen, Token: s.AdminToken}
}
