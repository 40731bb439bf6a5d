package core

import "sync"

// claimLocks orders, per conversation, the claims of its turns from the
// coordinator and their queueing: the turns one claim returns are queued
// before another claim of the same conversation begins. A handover being
// adopted, a lease being released and a message being accepted may claim
// turns of one conversation on several goroutines at once; without this,
// the turns claimed last could be queued first and run out of order. A
// takeover, which learns its conversations from its claim, excludes every
// other claim (lockAll).
type claimLocks struct {
	all   sync.RWMutex
	mu    sync.Mutex
	convs map[ConversationKey]*claimLock
}

// claimLock is one conversation's lock, kept while anyone holds or wants it.
type claimLock struct {
	held  chan struct{} // one slot, full while the lock is held
	users int           // holders and waiters
}

// lock locks conv's claims and returns the function that unlocks them.
func (l *claimLocks) lock(conv ConversationKey) (unlock func()) {
	l.all.RLock()
	c := l.join(conv)
	c.held <- struct{}{}
	return func() {
		<-c.held
		l.leave(conv, c)
		l.all.RUnlock()
	}
}

// lockAll locks the claims of every conversation and returns the function
// that unlocks them.
func (l *claimLocks) lockAll() (unlock func()) {
	l.all.Lock()
	return l.all.Unlock
}

// join returns conv's lock, counting one more user.
func (l *claimLocks) join(conv ConversationKey) *claimLock {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.convs == nil {
		l.convs = make(map[ConversationKey]*claimLock)
	}
	c := l.convs[conv]
	if c == nil {
		c = &claimLock{held: make(chan struct{}, 1)}
		l.convs[conv] = c
	}
	c.users++
	return c
}

// leave counts one user of conv's lock c less, forgetting c with the last.
func (l *claimLocks) leave(conv ConversationKey, c *claimLock) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c.users--; c.users == 0 {
		delete(l.convs, conv)
	}
}
