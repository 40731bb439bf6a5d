package core

import (
	"context"
	"testing"
	"time"

	"imbot/core/experiment"
)

func TestRouterAppliesTheUsersArm(t *testing.T) {
	control, armChain := &scriptedChain{name: "control", chunks: []string{"c"}}, &scriptedChain{name: "arm", chunks: []string{"a"}}
	arms := []experiment.Config{{Name: "terse", Share: 1, SystemPrompt: "Answer in one line."}}
	r, err := NewRouter(DefaultRouterConfig(), RouterDeps{History: newMemStore(), General: control,
		Experiments: experiment.NewAssigner(arms), ArmChains: map[string]Streamer{"terse": armChain}})
	if err != nil {
		t.Fatal(err)
	}
	env := Envelope{Platform: "web", ChatID: "s1", UserID: "u1", MessageID: "1", Text: "hi"}
	ans := r.Answer(context.Background(), env, &fakeWriter{a: newFakeAdapter("web")})
	if ans.Arm != "terse" || ans.Reply.Provider != "arm" {
		t.Fatalf("answer = %+v, want the arm's chain and name", ans)
	}
	if sys := armChain.reqs[0].Messages[0].Content; sys != "Answer in one line." {
		t.Errorf("system prompt = %q, want the arm's", sys)
	}
	if len(control.reqs) != 0 {
		t.Error("the control chain was asked")
	}
}

func TestDispatcherRecordsTheArm(t *testing.T) {
	d := &Dispatcher{now: time.Now}
	turn := d.turnOf(&batch{envs: []Envelope{msg("c1", "1", "q")}}, "q", Answer{Reply: Reply{Text: "a"}, Arm: "terse"}, 0)
	if turn.Arm != "terse" {
		t.Errorf("turn arm = %q, want the answer's", turn.Arm)
	}
}

func TestArmThresholdsDecideTheTier(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	strict := experiment.Config{Name: "strict", AnswerThreshold: f(0.9), BusinessThreshold: f(0.5)}
	tests := []struct {
		name string
		m    KnowledgeMatch
		arm  experiment.Config
		want Tier
	}{
		{"no override keeps the tier", KnowledgeMatch{Tier: TierAnswer, EntryID: "e", Confidence: 0.8}, experiment.Config{}, TierAnswer},
		{"below the arm's answer threshold", KnowledgeMatch{Tier: TierAnswer, EntryID: "e", Confidence: 0.8}, strict, TierBusiness},
		{"above it", KnowledgeMatch{Tier: TierBusiness, EntryID: "e", Confidence: 0.95}, strict, TierAnswer},
		{"short never answers", KnowledgeMatch{Tier: TierBusiness, EntryID: "e", Confidence: 0.95, Short: true}, strict, TierBusiness},
		{"below business", KnowledgeMatch{Tier: TierBusiness, EntryID: "e", Confidence: 0.4}, strict, TierGeneral},
		{"no entry", KnowledgeMatch{Confidence: 0.99}, strict, TierGeneral},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := armTier(tt.m, tt.arm).Tier; got != tt.want {
				t.Errorf("tier = %v, want %v", got, tt.want)
			}
		})
	}
}
