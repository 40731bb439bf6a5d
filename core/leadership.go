package core

import "context"

// Leadership elects, among the replicas sharing one store, the one that
// does work only one may do at a time, such as Telegram long polling.
// Implementations are safe for concurrent use.
type Leadership interface {
	// Lead blocks until this replica holds the lease named name, or ctx
	// ends (then it returns ctx's error). held ends when the lease is lost
	// or ctx ends; release stops renewing the lease and gives it up, and
	// must be called once the work under held has stopped.
	Lead(ctx context.Context, name string) (held context.Context, release func(), err error)
}

// Alone is the Leadership of the only replica: it always leads.
type Alone struct{}

var _ Leadership = Alone{}

// Lead returns at once with a context that ends with ctx.
func (Alone) Lead(ctx context.Context, _ string) (context.Context, func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	held, cancel := context.WithCancel(ctx)
	return held, cancel, nil
}
