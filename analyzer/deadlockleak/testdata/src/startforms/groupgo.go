package startforms

import (
	"log"
	"sync"
)

// Job is one job.
type Job struct {
	Name string
	Fn   func() error
}

// Worker runs jobs one at a time on the goroutine its WaitGroup starts
// with the method value w.loop. Stop closes w.stop and the loop returns;
// a Submit after (or racing with) it sends on the unbuffered w.jobs, which
// nobody receives any more, and blocks forever (variant of
// nginx/nginx-gateway-fabric#4842).
type Worker struct {
	jobs chan Job
	stop chan struct{}
	wg   sync.WaitGroup
}

// NewWorker starts the worker.
func NewWorker() *Worker {
	w := &Worker{jobs: make(chan Job), stop: make(chan struct{})}
	w.wg.Go(w.loop)
	return w
}

func (w *Worker) loop() {
	for {
		select {
		case <-w.stop:
			return
		case j := <-w.jobs:
			if err := j.Fn(); err != nil {
				log.Printf("job %s: %v", j.Name, err)
			}
		}
	}
}

// Submit hands j to the worker.
func (w *Worker) Submit(j Job) {
	w.jobs <- j // want `this send on an unbuffered channel \(field jobs\) has one receiver, the select in loop`
}

// Stop stops the worker and waits for it.
func (w *Worker) Stop() {
	close(w.stop)
	w.wg.Wait()
}

// FixedWorker's Submit also watches stop. Silent.
type FixedWorker struct {
	jobs chan Job
	stop chan struct{}
	wg   sync.WaitGroup
}

// NewFixedWorker starts the worker.
func NewFixedWorker() *FixedWorker {
	w := &FixedWorker{jobs: make(chan Job), stop: make(chan struct{})}
	w.wg.Go(w.loop)
	return w
}

func (w *FixedWorker) loop() {
	for {
		select {
		case <-w.stop:
			return
		case j := <-w.jobs:
			_ = j.Fn()
		}
	}
}

// Submit hands j to the worker unless it has stopped.
func (w *FixedWorker) Submit(j Job) bool {
	select {
	case w.jobs <- j:
		return true
	case <-w.stop:
		return false
	}
}

// Stop stops the worker and waits for it.
func (w *FixedWorker) Stop() {
	close(w.stop)
	w.wg.Wait()
}

// Flusher's loop, started the same way, never returns: its other case
// flushes and goes round again, so every Add finds the receiver. Silent.
type Flusher struct {
	items chan string
	tick  chan struct{}
	buf   []string
	wg    sync.WaitGroup
	flush func([]string)
}

// NewFlusher starts the flusher.
func NewFlusher(flush func([]string)) *Flusher {
	f := &Flusher{items: make(chan string), tick: make(chan struct{}), flush: flush}
	f.wg.Go(f.loop)
	return f
}

func (f *Flusher) loop() {
	for {
		select {
		case <-f.tick:
			f.flush(f.buf)
			f.buf = nil
		case it := <-f.items:
			f.buf = append(f.buf, it)
		}
	}
}

// Add queues an item.
func (f *Flusher) Add(it string) {
	f.items <- it
}

// Tick asks for a flush.
func (f *Flusher) Tick() {
	f.tick <- struct{}{}
}
