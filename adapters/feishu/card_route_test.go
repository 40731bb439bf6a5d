package feishu

import (
	"testing"

	"imbot/core"
)

func TestRouteLabelNamesEveryRoute(t *testing.T) {
	tests := []struct {
		reply core.Reply
		want  string
	}{
		{core.Reply{Route: core.RouteFAQ}, "FAQ"},
		{core.Reply{Route: core.RouteFAQGuess}, "FAQ (best guess)"},
		{core.Reply{Route: core.RouteCache, Model: "m"}, "cached"},
		{core.Reply{Route: core.RouteDegraded}, "degraded"},
		{core.Reply{Route: core.RouteModel, Provider: "p", Model: "m"}, "m"},
		{core.Reply{Route: core.RouteModel, Refusal: core.RefusalBusy}, ""},
	}
	for _, tt := range tests {
		if got := routeLabel(tt.reply); got != tt.want {
			t.Errorf("routeLabel(%+v) = %q, want %q", tt.reply, got, tt.want)
		}
	}
}
