package feishu

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Two messages of one chat whose handlers start in the wrong order are
// accepted oldest first; another chat does not wait for them.
func TestChatOrderAcceptsOldestFirst(t *testing.T) {
	o := newChatOrder(200 * time.Millisecond)
	base := time.Now().UnixMilli()
	ev := func(chat, id string, created int64) event {
		var e event
		e.Event.Message.ChatID, e.Event.Message.MessageID = chat, id
		e.Event.Message.CreateTime = strconv.FormatInt(created, 10)
		return e
	}
	var mu sync.Mutex
	var got []string
	var wg sync.WaitGroup
	for _, e := range []event{ev("oc_a", "om_2", base+1), ev("oc_a", "om_1", base), ev("oc_b", "om_9", base+5)} {
		wg.Go(func() {
			err := o.do(context.Background(), e, func() error {
				mu.Lock()
				defer mu.Unlock()
				got = append(got, e.Event.Message.MessageID)
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	pos := map[string]int{}
	for i, id := range got {
		pos[id] = i
	}
	if len(got) != 3 || pos["om_1"] > pos["om_2"] {
		t.Fatalf("accepted %v, want om_1 before om_2", got)
	}
	if len(o.chats) != 0 {
		t.Errorf("%d chats left queued", len(o.chats))
	}
}
