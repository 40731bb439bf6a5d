package telegram

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"imbot/core"
	"imbot/core/kit"
)

// pollLease is the name of the leader lease under which one replica polls.
const pollLease = "telegram-poll"

// pollWhileLeading polls while this replica holds the poll lease, and
// waits for it again when it is lost, until ctx ends. Without a
// Leadership it just polls. A replica waiting for the lease counts as
// ready: it sends replies, and it takes over polling when the leader dies.
func (a *Adapter) pollWhileLeading(ctx context.Context, deliver core.DeliverFunc) error {
	if a.leader == nil {
		return a.poll(ctx, deliver)
	}
	for {
		a.ready.Store(true)
		held, release, err := a.leader.Lead(ctx, pollLease)
		if err != nil {
			return nil // ctx ended
		}
		a.log.Info("polling: this replica holds the poll lease")
		err = a.poll(held, deliver)
		release()
		if err != nil || ctx.Err() != nil {
			return err
		}
		a.log.Warn("poll lease lost; another replica polls now")
	}
}

// poll receives updates by long polling until ctx ends. It resumes after
// the last update id saved and asks for the next batch (which confirms the
// current one to Telegram) only when every update of the current batch has
// been delivered: Telegram forgets nothing the dispatcher does not hold
// durably, so a crash loses nothing, and what a crash repeats the
// dispatcher's dedup drops. The batch's last id is saved in the background,
// off the path of the next fetch; a start from an older saved id only
// fetches again what dedup drops.
func (a *Adapter) poll(ctx context.Context, deliver core.DeliverFunc) error {
	last, err := a.loadOffset(ctx)
	if err != nil {
		return err
	}
	a.dropWebhook(ctx)
	saver := newOffsetSaver(a)
	defer saver.close()
	// getMe succeeded and the first long poll is about to start: the bot
	// receives from now on, even while a quiet poll waits for its timeout.
	a.ready.Store(true)
	var b backoff
	for ctx.Err() == nil {
		batch, err := a.getUpdates(ctx, last+1)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if errors.Is(err, bot.ErrorUnauthorized) {
				return a.redact(err)
			}
			a.ready.Store(false)
			a.log.Warn("get updates failed; retrying", "err", a.redact(err))
			_ = kit.Sleep(ctx, b.next(err))
			continue
		}
		b.reset()
		a.ready.Store(true)
		if len(batch) == 0 {
			continue
		}
		if err := a.deliverBatch(ctx, deliver, batch); err != nil {
			break // ctx ended; the batch comes again after the restart
		}
		last = batch[len(batch)-1].id
		saver.save(last)
	}
	return nil
}

// loadOffset returns the last update id saved, or 0.
func (a *Adapter) loadOffset(ctx context.Context) (int64, error) {
	s, err := a.cursors.Cursor(ctx, offsetCursor)
	if err != nil || s == "" {
		if err != nil {
			return 0, fmt.Errorf("telegram: load offset: %w", err)
		}
		return 0, nil
	}
	last, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("telegram: load offset %q: %w", s, err)
	}
	return last, nil
}

// offsetSaver saves the newest delivered update id from a goroutine of its
// own, skipping ids a newer one superseded. A failure only means the next
// start fetches some updates again, which dedup drops.
type offsetSaver struct {
	a       *Adapter
	pending chan int64 // holds at most the newest unsaved id
	done    chan struct{}
}

func newOffsetSaver(a *Adapter) *offsetSaver {
	s := &offsetSaver{a: a, pending: make(chan int64, 1), done: make(chan struct{})}
	go s.run()
	return s
}

// save queues id, replacing an older id not yet saved.
func (s *offsetSaver) save(id int64) {
	for {
		select {
		case s.pending <- id:
			return
		case <-s.pending:
		}
	}
}

// close saves what is queued and stops the goroutine.
func (s *offsetSaver) close() {
	close(s.pending)
	<-s.done
}

func (s *offsetSaver) run() {
	defer close(s.done)
	for id := range s.pending {
		ctx, cancel := context.WithTimeout(context.Background(), s.a.cfg.RequestTimeout)
		err := s.a.cursors.SetCursor(ctx, offsetCursor, strconv.FormatInt(id, 10))
		cancel()
		if err != nil {
			s.a.log.Warn("save offset", "offset", id, "err", err)
			continue
		}
		s.a.m.offset.With().Set(float64(id))
	}
}

// dropWebhook removes a webhook left from webhook mode, which would make
// getUpdates fail; pending updates are kept.
func (a *Adapter) dropWebhook(ctx context.Context) {
	err := a.callOnce(ctx, "deleteWebhook", func(ctx context.Context) error {
		_, err := a.bot.DeleteWebhook(ctx, &bot.DeleteWebhookParams{})
		return err
	})
	if err != nil && ctx.Err() == nil {
		a.log.Warn("delete webhook", "err", err)
	}
}

// deliverBatch handles a batch: each chat's updates in order, chats in
// parallel. It returns only when every update is handled, or with ctx's
// error when ctx ends first.
func (a *Adapter) deliverBatch(ctx context.Context, deliver core.DeliverFunc, batch []fetched) error {
	var order []int64
	byChat := map[int64][]*models.Update{}
	for _, f := range batch {
		if f.upd == nil {
			a.m.updates.With("undecodable").Inc()
			a.log.Warn("update skipped: cannot decode it", "update_id", f.id)
			continue
		}
		c := chatOf(f.upd)
		if _, ok := byChat[c]; !ok {
			order = append(order, c)
		}
		byChat[c] = append(byChat[c], f.upd)
	}
	var wg sync.WaitGroup
	for _, c := range order {
		wg.Go(func() {
			for _, u := range byChat[c] {
				if a.handleUntilDone(ctx, deliver, u) != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}

// handleUntilDone handles u, retrying with backoff while delivery fails,
// until it succeeds or ctx ends.
func (a *Adapter) handleUntilDone(ctx context.Context, deliver core.DeliverFunc, u *models.Update) error {
	var b backoff
	for {
		err := a.handle(ctx, deliver, u)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		a.log.Warn("delivery failed; retrying", "update_id", u.ID, "err", err)
		if err := kit.Sleep(ctx, b.next(err)); err != nil {
			return err
		}
	}
}
