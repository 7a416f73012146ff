// Package bug is a held-out kernel (issue 14): a log tailer that starts one
// goroutine per CloudWatch log group and collects their errors on a
// channel it declared but never made, so the first error blocks its
// sender for ever on the nil channel, and the caller waits for ever too.
//
// Upstream: DefangLabs/defang#1625 ("make chan")
// Round: 6
// Seen: 2026-11-27, development set (helpers read this round-6 kernel to tune the analyzers, after round 6 was measured; round 7 stays held out)
//
// Bug: TailLogGroups declares var errChan chan error and starts a goroutine
// per log group; a goroutine that fails (for example because the log
// group does not exist yet) sends its error with errChan <- err. Sending
// on a nil channel blocks for ever, so that goroutine never calls Done,
// the WaitGroup never reaches zero, and the caller, waiting for the first
// error or for all the tailers to finish, hangs. The PR description gives
// these four steps; the CloudWatch client and the event plumbing are our
// reduction.
//
// Fix: errChan is made. The kernel gives it one slot per log group, so
// errors after the first, which the caller does not read, do not block
// either (a follow-up, DefangLabs/defang#1634, closes it when all are done).
package bug

import (
	"context"
	"fmt"
	"sync"
)

// LogGroupInput names a log group and an optional stream prefix.
type LogGroupInput struct {
	LogGroupARN  string
	StreamPrefix string
}

// LogEvent is one log line.
type LogEvent struct {
	Group   string
	Message string
}

// CloudWatch tails one log group into events until ctx ends.
type CloudWatch interface {
	Tail(ctx context.Context, lgi LogGroupInput, events chan<- LogEvent) error
}

// TailLogGroups tails every group until ctx ends or one of them fails.
func TailLogGroups(ctx context.Context, cw CloudWatch, events chan<- LogEvent, lgis ...LogGroupInput) error {
	var errChan chan error // heldout:site
	var wg sync.WaitGroup
	for _, lgi := range lgis {
		wg.Add(1)
		go func(lgi LogGroupInput) {
			defer wg.Done()
			if err := cw.Tail(ctx, lgi, events); err != nil {
				errChan <- fmt.Errorf("log group %s: %w", lgi.LogGroupARN, err) // heldout:site
			}
		}(lgi)
	}

	done := make(chan struct{})
	go func() {
		wg.Wait() // heldout:site
		close(done)
	}()

	select {
	case err := <-errChan: // heldout:site
		return err
	case <-done:
		return nil
	}
}
