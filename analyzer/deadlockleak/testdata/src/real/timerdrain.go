package real

import (
	"context"
	"time"
)

// Look-alike: an idle timer drained after a Stop that lost the race (the
// idiom of golang/go#37196, as in x/tools' jsonrpc2 Serve). The loop also
// receives from connTimer.C in a select that watches ctx.Done(), but the
// timer's channel is the time package's, fired by the runtime: the
// stop-loop rule knows nothing of its sender and must stay silent.
func serveIdle(ctx context.Context, conns <-chan int, idle time.Duration) error {
	connTimer := time.NewTimer(idle)
	defer connTimer.Stop()
	active := 0
	for {
		select {
		case c, ok := <-conns:
			if !ok {
				return nil
			}
			if active == 0 && !connTimer.Stop() {
				<-connTimer.C
			}
			active += c
		case <-connTimer.C:
			return context.DeadlineExceeded
		case <-ctx.Done():
			return nil
		}
	}
}
