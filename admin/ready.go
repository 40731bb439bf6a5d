package admin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"imbot/core"
)

// readyTimeout bounds the checks of one /readyz request.
const readyTimeout = 2 * time.Second

// errNoUsableChain is /readyz's verdict on the providers when no chain can
// answer.
var errNoUsableChain = errors.New("every provider's circuit breaker is open")

// Check is one component /readyz asks.
type Check struct {
	// Name labels the component in the /readyz body.
	Name string
	// Ready returns nil when the component is ready. It is called
	// concurrently by parallel /readyz requests.
	Ready func(ctx context.Context) error
}

// AdapterChecks returns a check for each adapter that can tell whether it
// is connected (core.Checker), named "adapter:<platform>".
func AdapterChecks(adapters []core.Adapter) []Check {
	var out []Check
	for _, a := range adapters {
		if c, ok := a.(core.Checker); ok {
			out = append(out, Check{Name: "adapter:" + string(a.Name()), Ready: c.Check})
		}
	}
	return out
}

// ProviderStatus is one provider of one chain in the /readyz body.
type ProviderStatus struct {
	Chain      string `json:"chain"`
	Name       string `json:"name"`
	Model      string `json:"model"`
	State      string `json:"state"`
	ThirdParty bool   `json:"third_party"`
}

// ProviderReport tells whether at least one provider chain can answer, and
// each provider's state. It is called concurrently.
type ProviderReport func() (usable bool, providers []ProviderStatus)

// readiness is the /readyz body: a verdict per component.
type readiness struct {
	Ready      bool              `json:"ready"`
	Components map[string]string `json:"components"`
	Providers  []ProviderStatus  `json:"providers"`
}

// serveReady answers 200 when every check passes and at least one provider
// chain is usable, else 503; the body says which component is not ready.
func (s *Server) serveReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	rep := readiness{Ready: true, Components: map[string]string{}}
	record := func(name string, err error) {
		rep.Components[name] = "ok"
		if err != nil {
			rep.Ready = false
			rep.Components[name] = err.Error()
		}
	}
	for _, c := range s.deps.Checks {
		record(c.Name, c.Ready(ctx))
	}
	usable, providers := s.deps.Providers()
	rep.Providers = providers
	if usable {
		record("providers", nil)
	} else {
		record("providers", errNoUsableChain)
	}
	w.Header().Set("Content-Type", "application/json")
	if !rep.Ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(rep)
}
