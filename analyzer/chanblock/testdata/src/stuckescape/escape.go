// Package stuckescape holds channels kept in struct fields that leave the
// field: passed to the package's own goroutines and helpers as arguments,
// compared with nil, or handed out by an exported method whose result type
// limits what other packages can do with them (a <-chan T can only be
// received from). The interleaving checker follows them (WideFields).
// Each leak sits beside a fixed twin, and look-alikes where code outside
// the package could complete the operation stay silent.
package stuckescape

import "errors"

type source interface{ Get() (int, error) }

func setup() error { return nil }

// Fetcher's goroutine gets the field's channel as a send-only parameter
// and returns without sending when the fetch fails: Value then waits
// forever.
type Fetcher struct {
	out chan int
}

// NewFetcher starts fetching from src.
func NewFetcher(src source) *Fetcher {
	f := &Fetcher{out: make(chan int)}
	go f.fetch(src, f.out)
	return f
}

func (f *Fetcher) fetch(src source, out chan<- int) {
	v, err := src.Get()
	if err != nil {
		return
	}
	out <- v
}

// Value returns the fetched value.
func (f *Fetcher) Value() int {
	return <-f.out // want `this receive can block forever`
}

// FixedFetcher closes the channel on every path: Value sees the end.
type FixedFetcher struct {
	out chan int
}

// NewFixedFetcher starts fetching from src.
func NewFixedFetcher(src source) *FixedFetcher {
	f := &FixedFetcher{out: make(chan int)}
	go f.fetch(src, f.out)
	return f
}

func (f *FixedFetcher) fetch(src source, out chan<- int) {
	defer close(out)
	v, err := src.Get()
	if err != nil {
		return
	}
	out <- v
}

// Value returns the fetched value, or false when the fetch failed.
func (f *FixedFetcher) Value() (int, bool) {
	v, ok := <-f.out
	return v, ok
}

// Runner's Start hands the done channel to a helper function run as a
// goroutine, which closes it only when set-up succeeds; Wait tests the
// field against nil (no use of the channel) and then waits forever.
type Runner struct {
	done chan struct{}
}

// Start starts the work.
func (r *Runner) Start() {
	r.done = make(chan struct{})
	go work(r.done)
}

func work(done chan struct{}) {
	if err := setup(); err != nil {
		return
	}
	close(done)
}

// Wait waits for the work to end.
func (r *Runner) Wait() {
	if r.done == nil {
		return
	}
	<-r.done // want `this receive can block forever`
}

// FixedRunner's helper closes done on every path.
type FixedRunner struct {
	done chan struct{}
}

// Start starts the work.
func (r *FixedRunner) Start() {
	r.done = make(chan struct{})
	go fixedWork(r.done)
}

func fixedWork(done chan struct{}) {
	defer close(done)
	if err := setup(); err != nil {
		return
	}
}

// Wait waits for the work to end.
func (r *FixedRunner) Wait() {
	if r.done == nil {
		return
	}
	<-r.done
}

// Watch hands its done channel out as receive-only: other packages can
// wait on it but never close it, so the package's own Wait, in a select,
// still blocks forever when the loop gives up at set-up.
type Watch struct {
	done chan struct{}
	err  error
}

// NewWatch starts watching.
func NewWatch() *Watch {
	w := &Watch{done: make(chan struct{})}
	go w.loop()
	return w
}

func (w *Watch) loop() {
	if err := setup(); err != nil {
		return
	}
	w.err = errors.New("ended")
	close(w.done)
}

// Done is closed when the watch ends.
func (w *Watch) Done() <-chan struct{} { return w.done }

// Wait returns the watch's error once it has ended.
func (w *Watch) Wait() error {
	select {
	case <-w.done: // want `this receive can block forever`
		return w.err
	}
}

// FixedWatch closes done on every path.
type FixedWatch struct {
	done chan struct{}
	err  error
}

// NewFixedWatch starts watching.
func NewFixedWatch() *FixedWatch {
	w := &FixedWatch{done: make(chan struct{})}
	go w.loop()
	return w
}

func (w *FixedWatch) loop() {
	defer close(w.done)
	if err := setup(); err != nil {
		w.err = err
		return
	}
	w.err = errors.New("ended")
}

// Done is closed when the watch ends.
func (w *FixedWatch) Done() <-chan struct{} { return w.done }

// Wait returns the watch's error once it has ended.
func (w *FixedWatch) Wait() error {
	select {
	case <-w.done:
		return w.err
	}
}
