package admin

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"imbot/core"
)

// readyTimeout bounds the checks of one /readyz request.
const readyTimeout = 2 * time.Second

// noModelReachable is /readyz's note on the providers when no model can
// answer: the bot still answers (knowledge base, commands, the degraded
// reply), so it does not make /readyz fail.
const noModelReachable = "degraded: no model is reachable (every breaker is open, or no provider answered the start-up probe)"

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

// readiness is the /readyz body: a verdict per component, and the
// providers' states, which are reported but never make it fail.
type readiness struct {
	Ready           bool              `json:"ready"`
	Components      map[string]string `json:"components"`
	ModelsReachable bool              `json:"models_reachable"`
	Providers       []ProviderStatus  `json:"providers"`
}

// serveReady answers 200 when every check passes (the store takes writes,
// every adapter receives, the dispatcher's loop beats), else 503; the body
// says which component is not ready. Providers are in the body, "ok" or
// degraded, but an open breaker does not fail readiness: users still get
// answers from the knowledge base and the degraded reply.
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
	rep.ModelsReachable, rep.Providers = usable, providers
	rep.Components["providers"] = "ok"
	if !usable {
		rep.Components["providers"] = noModelReachable
	}
	w.Header().Set("Content-Type", "application/json")
	if !rep.Ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(rep)
}
