package review

import (
	"testing"
	"time"
)

func TestNearDuplicatesGroup(t *testing.T) {
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	items := []Item{
		{Question: "How do I reset my password?", Reason: "degraded", At: at},
		{Question: "how do I reset my password", Reason: "thumbs_down", At: at.Add(time.Minute)},
		{Question: "How can I reset my password?", Reason: "degraded", At: at.Add(2 * time.Minute)},
		{Question: "Where is my parcel?", Reason: "low_confidence", At: at, Entry: "shipping"},
		{Question: "parcel not arrived", Reason: "thumbs_down", At: at, Entry: "shipping"},
		{Question: "Do you sell gift cards?", Reason: "degraded", At: at},
		{Question: "怎么重置密码", Reason: "degraded", At: at},
		{Question: "怎么重置密码？", Reason: "thumbs_down", At: at},
	}
	gs := Groups(items)
	if len(gs) != 4 {
		t.Fatalf("groups = %+v, want 4: passwords, shipping, 密码, gift cards", gs)
	}
	pw := gs[0]
	if pw.Entry != "" || pw.Count != 3 || pw.Reasons["degraded"] != 2 || pw.Reasons["thumbs_down"] != 1 {
		t.Errorf("first group = %+v, want the three password questions", pw)
	}
	if len(pw.Questions) != 1 || pw.Questions[0].Count != 3 || pw.Questions[0].Text != "How do I reset my password?" {
		t.Errorf("password questions = %+v, want the three wordings counted as one", pw.Questions)
	}
	if gs[1].Entry != "shipping" || gs[1].Count != 2 {
		t.Errorf("second group = %+v, want the shipping entry's two", gs[1])
	}
	if gs[2].Count != 2 || gs[2].Questions[0].Count != 2 {
		t.Errorf("third group = %+v, want the two Chinese questions as one", gs[2])
	}
	if gs[3].Count != 1 || gs[3].Questions[0].Text != "Do you sell gift cards?" {
		t.Errorf("last group = %+v", gs[3])
	}
}
