package real

import (
	"context"
	"time"
)

// One function sends on a channel twice: once in a select that gives up
// when a stop signal fires, once plainly. The guard on the first send
// says the receiver can stop; the second has the same receiver and waits
// for it forever once it has.

// Upstream: graph-gophers/graphql-go#626. A subscription's goroutine
// resolves each event under a timeout; when the timeout has passed it
// sends an error response with a plain send, while the data response is
// sent in a select with the timeout's Done. The transport stops reading
// the responses when the subscriber leaves, and the goroutine blocks on
// the error response. Fix: the error response is sent in a select too.
func subscribeEvents(ctx context.Context, events <-chan string, resolve func(context.Context, string) (string, error)) <-chan string {
	out := make(chan string)
	go func() {
		defer close(out)
		for {
			var ev string
			select {
			case <-ctx.Done():
				return
			case e, ok := <-events:
				if !ok {
					return
				}
				ev = e
			}
			func() {
				sub, cancel := context.WithTimeout(ctx, time.Second)
				defer cancel()
				data, _ := resolve(sub, ev)
				if sub.Err() != nil {
					out <- "timeout" // want `sends on this channel in a select that gives up when the case at line \d+ fires \(line \d+\), so its receiver can stop; this plain send does not watch that signal`
					return
				}
				select {
				case <-sub.Done():
				case out <- data:
				}
			}()
		}
	}()
	return out
}

func subscribeEventsFixed(ctx context.Context, events <-chan string, resolve func(context.Context, string) (string, error)) <-chan string {
	out := make(chan string)
	go func() {
		defer close(out)
		for {
			var ev string
			select {
			case <-ctx.Done():
				return
			case e, ok := <-events:
				if !ok {
					return
				}
				ev = e
			}
			func() {
				sub, cancel := context.WithTimeout(ctx, time.Second)
				defer cancel()
				data, _ := resolve(sub, ev)
				if err := sub.Err(); err != nil {
					select {
					case <-ctx.Done():
					case out <- "timeout":
					}
					return
				}
				select {
				case <-sub.Done():
				case out <- data:
				}
			}()
		}
	}()
	return out
}

// A variant: a method reports progress on its result field in a select
// with a quit channel, and its failure plainly.
type uploadJob struct {
	quit    chan struct{}
	results chan error
}

func (j *uploadJob) run(parts [][]byte, put func([]byte) error) {
	for _, p := range parts {
		if err := put(p); err != nil {
			j.results <- err // want `run sends on this channel in a select that gives up when the case at line \d+ fires`
			return
		}
		select {
		case j.results <- nil:
		case <-j.quit:
			return
		}
	}
}

func startUpload(parts [][]byte, put func([]byte) error) *uploadJob {
	j := &uploadJob{quit: make(chan struct{}), results: make(chan error)}
	go j.run(parts, put)
	return j
}

// A variant: the channel is a parameter, and the plain send is the last
// word of a helper after its guarded sends.
func reportAll(ctx context.Context, items []int, out chan<- int) {
	total := 0
	for _, it := range items {
		total += it
		select {
		case out <- it:
		case <-ctx.Done():
			return
		}
	}
	out <- total // want `reportAll sends on this channel in a select that gives up when the case at line \d+ fires`
}

// A look-alike: the stop case leads to the plain send. The author sends
// after the stop on purpose, to a receiver that waits for exactly one
// value either way (a watcher reporting that it canceled the work).
func watchWork(ctx context.Context, result chan<- error, cancelWork func() error) {
	select {
	case result <- nil:
		return
	case <-ctx.Done():
	}
	result <- cancelWork()
}

// A look-alike: the channel has room for the one plain send.
func probeOnce(ctx context.Context, probe func() error) <-chan error {
	errc := make(chan error, 1)
	go func() {
		if err := probe(); err != nil {
			errc <- err
			return
		}
		select {
		case errc <- nil:
		case <-ctx.Done():
		}
	}()
	return errc
}
