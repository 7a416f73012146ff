package real

import (
	"context"
	"errors"
	"io"
)

// A cancel function called on some paths only, while a goroutine started
// with its context can return only once the context is done.

// Upstream: googleapis/google-cloud-go#183 (bigtable's ReadRows wrapped
// the caller's context with cancel but canceled it only when the row
// callback stopped early; a stream helper started a watcher goroutine per
// call that waited on the context or on a transport error, and when the
// stream ended normally that goroutine leaked, with every call made with
// context.Background()). Fix: defer cancel(). Reduced in our own words.
type pipe struct {
	broken chan struct{} // never closed in this package
}

type rowStream struct {
	items []string
	i     int
}

func openRows(ctx context.Context, p *pipe, items []string) *rowStream {
	s := &rowStream{items: items}
	go func() {
		select {
		case <-ctx.Done():
			s.items = nil
		case <-p.broken:
		}
	}()
	return s
}

func (s *rowStream) next() (string, error) {
	if s.i >= len(s.items) {
		return "", io.EOF
	}
	s.i++
	return s.items[s.i-1], nil
}

func scanRows(ctx context.Context, p *pipe, items []string, f func(string) bool) error {
	ctx, cancel := context.WithCancel(ctx) // want `scanRows calls this context's cancel only on some paths \(line \d+\): when it returns at line \d+ without canceling, the goroutine started with the context \(line \d+\), whose only way out waits on ctx.Done\(\), blocks until the parent context is canceled`
	s := openRows(ctx, p, items)
	for {
		row, err := s.next()
		if err == io.EOF {
			return nil
		}
		if !f(row) {
			cancel()
			return nil
		}
	}
}

func scanRowsFixed(ctx context.Context, p *pipe, items []string, f func(string) bool) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := openRows(ctx, p, items)
	for {
		row, err := s.next()
		if err == io.EOF {
			return nil
		}
		if !f(row) {
			return nil
		}
	}
}

// A variant written differently (ours): the goroutine is started right
// here, gets the context as an argument and loops until it is done; the
// error path returns without canceling.
func heartbeat(ctx context.Context, beat func()) {
	for {
		select {
		case <-ctx.Done():
			return
		default:
			beat()
		}
	}
}

func runWithHeartbeat(parent context.Context, beat func(), work func() error) error {
	ctx, cancel := context.WithTimeout(parent, 0) // want `runWithHeartbeat calls this context's cancel only on some paths`
	go heartbeat(ctx, beat)
	if err := work(); err != nil {
		return err
	}
	cancel()
	return nil
}

// Look-alike negatives (ours): the goroutine has a way out of its own (a
// channel the package closes), so it does not depend on the cancel; and a
// cancel called on every path.
type session struct {
	quit chan struct{}
}

func (s *session) stop() { close(s.quit) }

func (s *session) watch(ctx context.Context) {
	go func() {
		select {
		case <-ctx.Done():
		case <-s.quit:
		}
	}()
}

func (s *session) serve(parent context.Context, work func() error) error {
	ctx, cancel := context.WithCancel(parent)
	s.watch(ctx)
	if err := work(); err != nil {
		return err
	}
	cancel()
	return nil
}

func runEveryPath(parent context.Context, beat func(), work func() error) error {
	ctx, cancel := context.WithCancel(parent)
	go heartbeat(ctx, beat)
	if err := work(); err != nil {
		cancel()
		return errors.Join(err, ctx.Err())
	}
	cancel()
	return nil
}
