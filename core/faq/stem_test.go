package faq

import "testing"

func TestStem(t *testing.T) {
	groups := [][]string{
		{"ship", "ships", "shipping", "shipped"},
		{"charge", "charges", "charged", "charging"},
		{"deliver", "delivers", "delivered", "delivering"},
		{"delivery", "deliveries"},
		{"cancel", "cancels", "cancelled", "canceled", "cancelling"},
		{"pay", "pays", "paid", "paying", "payment", "payments"},
		{"send", "sends", "sent", "sending"},
		{"buy", "buys", "bought", "buying"},
		{"box", "boxes"},
		{"match", "matches", "matching"},
		{"address", "addresses"},
		{"quick", "quickly"},
		{"confirm", "confirmation", "confirmed"},
		{"do", "does", "did", "dont", "doesnt"},
	}
	for _, g := range groups {
		want := string(stem([]byte(g[0])))
		for _, w := range g[1:] {
			if got := string(stem([]byte(w))); got != want {
				t.Errorf("stem(%q) = %q, want %q (the stem of %q)", w, got, want, g[0])
			}
		}
	}
	for _, w := range []string{"bus", "this", "is", "dress", "sing", "red"} {
		if got := string(stem([]byte(w))); got != w {
			t.Errorf("stem(%q) = %q, want it unchanged", w, got)
		}
	}
}

func TestConcepts(t *testing.T) {
	share := []struct{ a, b string }{
		{"how do I send back an item", "return policy"},
		{"returning my order", "returns"},
		{"sign in problem", "login"},
		{"my parcel", "delivery"},
		{"money back", "refunded"},
	}
	for _, tc := range share {
		if !sharesConcept(tc.a, tc.b) {
			t.Errorf("%q and %q share no concept", tc.a, tc.b)
		}
	}
	if sharesConcept("send the item", "back in stock") {
		t.Errorf("%q and %q share a concept; only adjacent words make a phrase", "send the item", "back in stock")
	}
}

func sharesConcept(a, b string) bool {
	var tk tokenizer
	in := map[uint64]bool{}
	for _, f := range tk.features(a) {
		if f.concept {
			in[f.hash] = true
		}
	}
	for _, f := range tk.features(b) {
		if f.concept && in[f.hash] {
			return true
		}
	}
	return false
}

func TestConceptWeight(t *testing.T) {
	for _, tc := range []struct {
		perEntry float64
		want     float32
	}{{0.5, 1}, {1, 1}, {4, 0.5}, {100, 0.1}} {
		if got := conceptWeight(tc.perEntry); got < tc.want-1e-6 || got > tc.want+1e-6 {
			t.Errorf("conceptWeight(%v) = %v, want %v", tc.perEntry, got, tc.want)
		}
	}
}
