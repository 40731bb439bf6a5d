package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"imbot/store/storage"
)

// sweepChunk bounds the rows one sweep statement deletes, so that sweeping
// never holds many row locks at once.
const sweepChunk = 1000

// Sweep applies retention as of now, with the same rules as the bbolt
// store: it deletes expired dedup marks and reply ids, trims every
// conversation to its max_messages newest messages and, when retention is
// set, deletes conversations idle for longer and older unanswered
// questions, usage counters and turn records; when vector_retention is set
// it deletes the cached embeddings unused that long, except those
// KeepVectors claims. Every statement deletes at most a chunk of rows;
// several replicas may sweep at once. What was removed before a failure
// stays removed and is counted.
func (s *Store) Sweep(ctx context.Context, now time.Time) (storage.SweepStats, error) {
	start := time.Now()
	var st storage.SweepStats
	type step struct {
		count *int
		sql   string
		args  []any
	}
	steps := []step{
		{&st.DedupMarks, `DELETE FROM dedup_marks WHERE key IN (SELECT key FROM dedup_marks WHERE expires <= $1 LIMIT $2)`, []any{now}},
		{&st.BotMessages, `DELETE FROM bot_messages WHERE key IN (SELECT key FROM bot_messages WHERE expires <= $1 LIMIT $2)`, []any{now}},
	}
	if r := s.ret.Retention; r > 0 {
		cutoff := now.Add(-r)
		steps = append(steps,
			step{&st.Conversations, `DELETE FROM conversations WHERE conversation IN
				(SELECT conversation FROM conversations WHERE last_used < $1 LIMIT $2)`, []any{cutoff}},
			step{&st.Unanswered, `DELETE FROM unanswered WHERE id IN (SELECT id FROM unanswered WHERE at < $1 LIMIT $2)`, []any{cutoff}},
			step{&st.Usage, `DELETE FROM usage_counters WHERE (day, key) IN
				(SELECT day, key FROM usage_counters WHERE day < $1::date LIMIT $2)`, []any{cutoff.UTC().Format(storage.DayLayout)}},
			step{&st.Turns, `DELETE FROM turn_records WHERE key IN (SELECT key FROM turn_records WHERE at < $1 LIMIT $2)`, []any{cutoff}})
	}
	steps = append(steps, step{&st.Messages, `DELETE FROM messages m USING (
			SELECT conversation, seq FROM (
				SELECT conversation, seq, row_number() OVER (PARTITION BY conversation ORDER BY seq DESC) AS newer
				FROM messages WHERE conversation IN
					(SELECT conversation FROM conversations WHERE next_seq - 1 > $1)) ranked
			WHERE newer > $1 LIMIT $2) old
		WHERE m.conversation = old.conversation AND m.seq = old.seq`, []any{s.ret.MaxMessages}})
	var err error
	for _, sp := range steps {
		if err = s.chunked(ctx, sp.count, sp.sql, sp.args...); err != nil {
			break
		}
	}
	if err == nil && s.ret.VectorRetention > 0 {
		err = s.sweepVectors(ctx, now.Add(-s.ret.VectorRetention), &st.Vectors)
	}
	s.metrics.Swept(st)
	if err != nil {
		if ctx.Err() == nil {
			s.metrics.Failed("sweep", err)
		}
		return st, s.result("sweep", err)
	}
	storage.LogSweep(ctx, s.log, st, start)
	return st, nil
}

// chunked runs a DELETE whose last parameter is the chunk size until it
// deletes less than a chunk, adding what it deleted to *count.
func (s *Store) chunked(ctx context.Context, count *int, sql string, args ...any) error {
	args = append(args, sweepChunk)
	for {
		tag, err := s.pool.Exec(ctx, sql, args...)
		if err != nil {
			return err
		}
		*count += int(tag.RowsAffected())
		if tag.RowsAffected() < sweepChunk {
			return nil
		}
	}
}

// sweepVectors deletes the cached vectors last used before cutoff (or
// unreadable) that the keeper does not claim.
func (s *Store) sweepVectors(ctx context.Context, cutoff time.Time, count *int) error {
	keep := s.Keeper()
	rows, err := s.pool.Query(ctx, `SELECT key, record FROM vectors WHERE used < $1 ORDER BY key`, cutoff)
	if err != nil {
		return err
	}
	var stale [][]byte
	var key, rec []byte
	if _, err := pgx.ForEachRow(rows, []any{&key, &rec}, func() error {
		if storage.StaleVector(key, rec, cutoff, keep) {
			stale = append(stale, append([]byte(nil), key...))
		}
		return nil
	}); err != nil {
		return err
	}
	for len(stale) > 0 {
		n := min(len(stale), sweepChunk)
		tag, err := s.pool.Exec(ctx, `DELETE FROM vectors WHERE key = ANY($1) AND used < $2`, stale[:n], cutoff)
		if err != nil {
			return err
		}
		*count += int(tag.RowsAffected())
		stale = stale[n:]
	}
	return nil
}

// RunSweeper sweeps at once and then every interval (an hour when every
// is not positive) until ctx ends. It blocks; the caller owns the goroutine
// it runs on. Sweep errors are logged.
func (s *Store) RunSweeper(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = time.Hour
	}
	storage.RunSweeper(ctx, every, s.now, s.Sweep, s.log)
}
