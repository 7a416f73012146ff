// Package bug is a held-out kernel (issue 14): docker compose's TTY progress
// writer ends an operation by sending on an unbuffered done channel whose
// only receiver is the render goroutine, and that goroutine also returns
// when the command's context is cancelled, so after a SIGTERM the send in
// Done blocks for ever and compose never exits.
//
// Upstream: docker/compose#14114 ("ttyWriter.Done still hangs forever when the context was canceled before Done runs")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: ttyWriter.Start starts a goroutine that selects on ctx.Done(),
// w.done and the 100ms ticker, printing on each tick. Done prints a last
// time and then does `w.done <- true` (after the fix for #13639 this send
// comes before the mutex is taken). done is unbuffered and that select is
// its only receiver. AdaptCmd cancels the command's context on the first
// SIGTERM/SIGINT, the render goroutine leaves through ctx.Done(), and
// compose's Run calls bus.Done unconditionally afterwards: the send has
// no receiver left. The event bus interface, the task table and the
// printing are our reduction of cmd/display/tty.go; runWithProgress
// stands for pkg/compose.Run.
//
// Fix (docker/compose#14119): done becomes a per-cycle signal made in
// Start and closed once (through sync.Once) by Done, so Done never waits
// for the render goroutine.
package bug

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
	done      chan bool
	mtx       *sync.Mutex
	operation string
	ticker    *time.Ticker
}

// Full returns the TTY progress writer.
func Full(out io.Writer) EventProcessor {
	return &ttyWriter{
		out:   out,
		tasks: map[string]Resource{},
		done:  make(chan bool),
		mtx:   &sync.Mutex{},
	}
}

func (w *ttyWriter) Start(ctx context.Context, operation string) {
	w.ticker = time.NewTicker(100 * time.Millisecond)
	w.operation = operation
	go func() {
		for {
			select {
			case <-ctx.Done():
				// interrupted
				w.ticker.Stop()
				return // heldout:site
			case <-w.done:
				return
			case <-w.ticker.C:
				w.print()
			}
		}
	}()
}

func (w *ttyWriter) Done(operation string, success bool) {
	w.print()
	w.done <- true // heldout:site
	w.mtx.Lock()
	defer w.mtx.Unlock()
	w.ticker.Stop()
	w.operation = ""
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
