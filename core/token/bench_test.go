package token

import (
	"strings"
	"testing"
)

// benchText returns about n bytes of unit repeated.
func benchText(unit string, n int) string {
	return strings.Repeat(unit, n/len(unit)+1)[:n]
}

func BenchmarkCount(b *testing.B) {
	for _, bc := range []struct{ name, unit string }{
		{"en-1KB", "The bot answers from the knowledge base when it is sure, and otherwise asks a model. "},
		{"zh-1KB", "机器人在确定时直接用知识库回答，否则交给模型处理。"},
		{"mixed-1KB", "请把 retry 的 backoff 改成 exponential，最大 5 次；see docs/v2.3.1. "},
	} {
		text := benchText(bc.unit, 1024)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				Count(text)
			}
		})
	}
}

func BenchmarkCalibrator(b *testing.B) {
	c, err := NewCalibrator(DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	c.Observe("deepseek", 1000, 700)
	b.Run("Scale", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Scale("deepseek")
			}
		})
	})
	b.Run("Observe", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Observe("deepseek", 1000, 700)
			}
		})
	})
}
