package shapes

import "sync"

// A worker pool whose job count is its wait: the worker method is started
// as a goroutine that never returns, and serveJobs lives until quit is
// closed.

type jobBoard struct {
	mu      sync.Mutex
	ready   *sync.Cond
	pending int
}

func newJobBoard() *jobBoard {
	b := &jobBoard{}
	b.ready = sync.NewCond(&b.mu)
	return b
}

func (b *jobBoard) post() {
	b.mu.Lock()
	b.pending++
	b.mu.Unlock()
	b.ready.Signal()
}

func (b *jobBoard) claim() {
	b.mu.Lock()
	for b.pending == 0 {
		b.ready.Wait() // want `Wait on ready in claim ends only when new data comes into pending: worker, started by serveJobs \(line 45\), calls claim \(line 39\) and never returns, while serveJobs returns once its stop signal arrives \(line 46\)`
	}
	b.pending--
	b.mu.Unlock()
}

func (b *jobBoard) worker(run func()) {
	for {
		b.claim()
		run()
	}
}

func serveJobs(quit chan struct{}, b *jobBoard, run func()) {
	go b.worker(run)
	<-quit
}

// Look-alike: the worker leaves its loop when its stop channel is closed
// (the wait loop tests only data, but the goroutine can return).

type jobBoard2 struct {
	mu      sync.Mutex
	ready   *sync.Cond
	pending int
}

func newJobBoard2() *jobBoard2 {
	b := &jobBoard2{}
	b.ready = sync.NewCond(&b.mu)
	return b
}

func (b *jobBoard2) post() {
	b.mu.Lock()
	b.pending++
	b.ready.Signal()
	b.mu.Unlock()
}

func (b *jobBoard2) claim() {
	b.mu.Lock()
	for b.pending == 0 {
		b.ready.Wait()
	}
	b.pending--
	b.mu.Unlock()
}

func (b *jobBoard2) worker(stop <-chan struct{}, run func()) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		b.claim()
		run()
	}
}

func serveJobs2(stop <-chan struct{}, b *jobBoard2, run func()) {
	go b.worker(stop, run)
	<-stop
	b.post()
}

// Look-alike: the starter has no stop: it returns at once, and the
// worker serves for the life of the program by design.

type jobBoard3 struct {
	mu      sync.Mutex
	ready   *sync.Cond
	pending int
}

func newJobBoard3() *jobBoard3 {
	b := &jobBoard3{}
	b.ready = sync.NewCond(&b.mu)
	return b
}

func (b *jobBoard3) post() {
	b.mu.Lock()
	b.pending++
	b.ready.Signal()
	b.mu.Unlock()
}

func (b *jobBoard3) claim() {
	b.mu.Lock()
	for b.pending == 0 {
		b.ready.Wait()
	}
	b.pending--
	b.mu.Unlock()
}

func startJobs3(b *jobBoard3, run func()) {
	go func() {
		for {
			b.claim()
			run()
		}
	}()
}

// Look-alike: the wait loop also tests a stopped flag, which the stop
// sets and broadcasts.

type jobBoard4 struct {
	mu      sync.Mutex
	ready   *sync.Cond
	pending int
	stopped bool
}

func newJobBoard4() *jobBoard4 {
	b := &jobBoard4{}
	b.ready = sync.NewCond(&b.mu)
	return b
}

func (b *jobBoard4) post() {
	b.mu.Lock()
	b.pending++
	b.ready.Signal()
	b.mu.Unlock()
}

func (b *jobBoard4) stop() {
	b.mu.Lock()
	b.stopped = true
	b.ready.Broadcast()
	b.mu.Unlock()
}

func (b *jobBoard4) claim() {
	b.mu.Lock()
	for b.pending == 0 && !b.stopped {
		b.ready.Wait()
	}
	b.pending--
	b.mu.Unlock()
}

func (b *jobBoard4) worker(run func()) {
	for {
		b.claim()
		run()
	}
}

func serveJobs4(stop <-chan struct{}, b *jobBoard4, run func()) {
	go b.worker(run)
	<-stop
	b.stop()
}
