package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"imbot/core"
)

// errNoUsableChain is /readyz's verdict on the providers when no chain can
// answer.
var errNoUsableChain = errors.New("every provider's circuit breaker is open")

// readiness is the /readyz body: a verdict per component.
type readiness struct {
	Ready      bool              `json:"ready"`
	Components map[string]string `json:"components"`
	Providers  []providerStatus  `json:"providers"`
}

// providerStatus is one provider of one chain in the /readyz body.
type providerStatus struct {
	Chain      string `json:"chain"`
	Name       string `json:"name"`
	Model      string `json:"model"`
	State      string `json:"state"`
	ThirdParty bool   `json:"third_party"`
}

// serveReady answers 200 when the store is open, every adapter is
// connected and at least one provider chain is usable, else 503; the body
// says which component is not ready.
func (d *daemon) serveReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	rep := readiness{Ready: true, Components: map[string]string{}}
	check := func(name string, err error) {
		rep.Components[name] = "ok"
		if err != nil {
			rep.Ready = false
			rep.Components[name] = err.Error()
		}
	}
	check("store", d.store.Check(ctx))
	for _, a := range d.adapters {
		if c, ok := a.(core.Checker); ok {
			check("adapter:"+string(a.Name()), c.Check(ctx))
		}
	}
	usable := false
	for _, ch := range d.chains {
		usable = usable || ch.Usable()
		for _, s := range ch.States() {
			rep.Providers = append(rep.Providers, providerStatus{Chain: ch.Name(), Name: s.Name, Model: s.Model,
				State: s.State.String(), ThirdParty: s.ThirdParty})
		}
	}
	if usable {
		check("providers", nil)
	} else {
		check("providers", errNoUsableChain)
	}
	w.Header().Set("Content-Type", "application/json")
	if !rep.Ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(rep)
}
