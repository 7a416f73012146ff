// Package fixed is the fixed version of chansend/compose_14114: each
// Start makes a fresh done signal that Done closes (once) instead of
// sending on it, so Done returns even after the render goroutine left
// through the cancelled context.
package fixed

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// Resource is a progress event for one task.
type Resource struct {
	ID     string
	Text   string
	Status string
}

// EventProcessor is the progress bus compose operations report to.
type EventProcessor interface {
	Start(ctx context.Context, operation string)
	On(events ...Resource)
	Done(operation string, success bool)
}

type ttyWriter struct {
	out       io.Writer
	ids       []string
	tasks     map[string]Resource
	done      *doneSignal
	mtx       *sync.Mutex
	operation string
	ticker    *time.Ticker
}

// Full returns the TTY progress writer.
func Full(out io.Writer) EventProcessor {
	return &ttyWriter{
		out:   out,
		tasks: map[string]Resource{},
		mtx:   &sync.Mutex{},
	}
}

// doneSignal ends one Start/Done cycle; closing it twice is harmless.
type doneSignal struct {
	ch   chan struct{}
	once sync.Once
}

func newDoneSignal() *doneSignal {
	return &doneSignal{ch: make(chan struct{})}
}

func (d *doneSignal) close() {
	d.once.Do(func() { close(d.ch) })
}

func (w *ttyWriter) Start(ctx context.Context, operation string) {
	w.mtx.Lock()
	done := newDoneSignal()
	ticker := time.NewTicker(100 * time.Millisecond)
	w.done = done
	w.ticker = ticker
	w.operation = operation
	w.mtx.Unlock()
	go func() {
		for {
			select {
			case <-ctx.Done():
				// interrupted
				ticker.Stop()
				return
			case <-done.ch:
				return
			case <-ticker.C:
				w.print()
			}
		}
	}()
}

func (w *ttyWriter) Done(operation string, success bool) {
	w.print()
	w.mtx.Lock()
	done, ticker := w.done, w.ticker
	w.operation = ""
	w.mtx.Unlock()
	if ticker != nil {
		ticker.Stop()
	}
	if done != nil {
		done.close()
	}
}

func (w *ttyWriter) On(events ...Resource) {
	w.mtx.Lock()
	defer w.mtx.Unlock()
	for _, e := range events {
		if _, ok := w.tasks[e.ID]; !ok {
			w.ids = append(w.ids, e.ID)
		}
		w.tasks[e.ID] = e
	}
}

func (w *ttyWriter) print() {
	w.mtx.Lock()
	defer w.mtx.Unlock()
	if len(w.tasks) == 0 {
		return
	}
	fmt.Fprintf(w.out, "[+] %s %d\n", w.operation, len(w.tasks))
	for _, id := range w.ids {
		t := w.tasks[id]
		fmt.Fprintf(w.out, " %s %s %s\n", t.ID, t.Status, t.Text)
	}
}

// runWithProgress stands for compose's Run: it reports an operation to the
// bus and ends it whether or not the operation was interrupted.
func runWithProgress(ctx context.Context, bus EventProcessor, operation string, fn func(context.Context) error) error {
	bus.Start(ctx, operation)
	err := fn(ctx)
	bus.Done(operation, err == nil)
	return err
}

// adaptCmd cancels the command's context on the first signal.
func adaptCmd(parent context.Context, signals <-chan struct{}) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		select {
		case <-signals:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// Up runs an operation under a context that a signal cancels.
func Up(out io.Writer, signals <-chan struct{}, fn func(context.Context) error) error {
	ctx, cancel := adaptCmd(context.Background(), signals)
	defer cancel()
	return runWithProgress(ctx, Full(out), "up", fn)
}
