package safety

import (
	"context"
	"testing"

	"imbot/core/safety/pii"
)

type recordingEmbedder struct{ got []string }

func (r *recordingEmbedder) Embed(_ context.Context, _ string, texts []string) ([][]float32, error) {
	r.got = append(r.got, texts...)
	return make([][]float32, len(texts)), nil
}

func TestMaskEmbeddings(t *testing.T) {
	m, err := pii.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recordingEmbedder{}
	vs, err := MaskEmbeddings(rec, m).Embed(t.Context(), "e", []string{"call 13812345678", "refund policy", "mail a.b@example.com"})
	if err != nil || len(vs) != 3 {
		t.Fatalf("Embed = %d vectors, %v", len(vs), err)
	}
	want := []string{"call [PHONE_1]", "refund policy", "mail [EMAIL_1]"}
	for i := range want {
		if rec.got[i] != want[i] {
			t.Errorf("text %d reached the provider as %q, want %q", i, rec.got[i], want[i])
		}
	}
}
