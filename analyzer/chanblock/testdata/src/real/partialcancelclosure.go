package real

import (
	"context"
	"io"
)

// googleapis/google-cloud-go#183 with the cancel wrapped in a local
// closure (session 25, ctxvar): stop cancels and drains the stream, and
// is called only when f asks to stop early; a normal end returns without
// it and the stream's watcher waits until the caller's context ends.
type pcStream struct {
	rows []string
	pos  int
	errc chan struct{}
}

func newPCStream(ctx context.Context, rows []string) *pcStream {
	s := &pcStream{rows: rows, errc: make(chan struct{})}
	go func() {
		select {
		case <-ctx.Done():
			s.rows = nil
		case <-s.errc:
		}
	}()
	return s
}

func (s *pcStream) Recv() (string, error) {
	if s.pos >= len(s.rows) {
		return "", io.EOF
	}
	s.pos++
	return s.rows[s.pos-1], nil
}

func pcReadRows(ctx context.Context, rows []string, f func(string) bool) error {
	ctx, cancel := context.WithCancel(ctx) // want `pcReadRows calls this context's cancel only on some paths`
	st := newPCStream(ctx, rows)
	stop := func() {
		cancel()
		for {
			if _, err := st.Recv(); err != nil {
				return
			}
		}
	}
	for {
		r, err := st.Recv()
		if err == io.EOF {
			return nil
		}
		if !f(r) {
			stop()
			return nil
		}
	}
}

// The fix: cancel deferred.
func pcReadRowsFixed(ctx context.Context, rows []string, f func(string) bool) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	st := newPCStream(ctx, rows)
	for {
		r, err := st.Recv()
		if err == io.EOF {
			return nil
		}
		if !f(r) {
			return nil
		}
	}
}

// Look-alike: the closure is deferred, so it runs on every return.
func pcReadRowsDeferred(ctx context.Context, rows []string, f func(string) bool) error {
	ctx, cancel := context.WithCancel(ctx)
	st := newPCStream(ctx, rows)
	stop := func() {
		cancel()
	}
	defer stop()
	for {
		r, err := st.Recv()
		if err == io.EOF {
			return nil
		}
		if !f(r) {
			return nil
		}
	}
}

// Look-alike: the closure is called on both ways out.
func pcReadRowsBoth(ctx context.Context, rows []string, f func(string) bool) error {
	ctx, cancel := context.WithCancel(ctx)
	st := newPCStream(ctx, rows)
	stop := func() { cancel() }
	for {
		r, err := st.Recv()
		if err == io.EOF {
			stop()
			return nil
		}
		if !f(r) {
			stop()
			return nil
		}
	}
}

// Look-alike: the closure is handed on (a callback may cancel later).
func pcReadRowsHanded(ctx context.Context, rows []string, f func(string) bool, onDone func(func())) error {
	ctx, cancel := context.WithCancel(ctx)
	st := newPCStream(ctx, rows)
	stop := func() { cancel() }
	onDone(stop)
	for {
		r, err := st.Recv()
		if err == io.EOF {
			return nil
		}
		if !f(r) {
			return nil
		}
	}
}
