package storage

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// LogSweep logs what a sweep that began at start removed: at Info when it
// removed anything, at Debug otherwise.
func LogSweep(ctx context.Context, log *slog.Logger, st SweepStats, start time.Time) {
	level := slog.LevelDebug
	if st.Total() > 0 {
		level = slog.LevelInfo
	}
	log.Log(ctx, level, "store swept", "dedup_marks", st.DedupMarks, "conversations", st.Conversations,
		"messages", st.Messages, "unanswered", st.Unanswered, "usage", st.Usage, "bot_messages", st.BotMessages,
		"vectors", st.Vectors, "turns", st.Turns, "latency_ms", time.Since(start).Milliseconds())
}

// RunSweeper calls sweep with the time now reports at once and then every
// interval until ctx ends, logging failures other than ctx's end on log.
// It blocks; the caller owns the goroutine it runs on.
func RunSweeper(ctx context.Context, every time.Duration, now func() time.Time,
	sweep func(context.Context, time.Time) (SweepStats, error), log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := sweep(ctx, now()); err != nil && !errors.Is(err, ctx.Err()) {
			log.Error("sweep failed", "err", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
