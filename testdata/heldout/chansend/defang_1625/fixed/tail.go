// Package fixed is the fixed version of chansend/defang_1625: errChan is
// made, with a slot per log group.
package fixed

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
	errChan := make(chan error, len(lgis))
	var wg sync.WaitGroup
	for _, lgi := range lgis {
		wg.Add(1)
		go func(lgi LogGroupInput) {
			defer wg.Done()
			if err := cw.Tail(ctx, lgi, events); err != nil {
				errChan <- fmt.Errorf("log group %s: %w", lgi.LogGroupARN, err)
			}
		}(lgi)
	}

	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()

	select {
	case err := <-errChan:
		return err
	case <-done:
		return nil
	}
}
