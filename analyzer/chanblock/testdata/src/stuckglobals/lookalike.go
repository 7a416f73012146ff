package stuckglobals

import "sync"

// Look-alikes the checker must leave alone: code whose other users of the
// package variable let go what a model of the goroutines alone would
// find stuck.

// Abort releases the transaction lock on behalf of its holder (the
// watchdog calls it when a transaction runs too long): Apply's goroutine,
// waiting for the lock Apply holds, gets it then.
var txMu sync.Mutex

func Abort() { txMu.Unlock() }

func Apply(op func()) {
	done := make(chan struct{})
	txMu.Lock()
	go func() {
		txMu.Lock()
		op()
		txMu.Unlock()
		close(done)
	}()
	<-done
}

// waitLocked is called with tableMu held and waits with it released,
// as a condition wait does.
var tableMu sync.Mutex

func waitLocked(done chan struct{}) {
	tableMu.Unlock()
	<-done
	tableMu.Lock()
}

func Compact(work func()) {
	done := make(chan struct{})
	tableMu.Lock()
	defer tableMu.Unlock()
	go func() {
		tableMu.Lock()
		work()
		tableMu.Unlock()
		close(done)
	}()
	waitLocked(done)
}

// A lock whose address is handed on.
var guardMu sync.Mutex

func withLock(mu *sync.Mutex, f func()) {
	mu.Lock()
	defer mu.Unlock()
	f()
}

func Guarded(f func()) {
	done := make(chan struct{})
	guardMu.Lock()
	go func() {
		withLock(&guardMu, f)
		close(done)
	}()
	guardMu.Unlock()
	<-done
}

// Drain counts itself in flight until the batch's finisher calls End:
// its waiter's Wait returns then, which the model of Drain alone cannot
// see.
var inflight sync.WaitGroup

func End() { inflight.Done() }

func Drain(results chan<- int) {
	out := make(chan int, 1)
	inflight.Add(1)
	go func() {
		inflight.Wait()
		out <- 1
	}()
	results <- <-out
}

// Collect counts its worker and the one a client starts with Spawn;
// worker, which the model runs, also runs outside it and calls Done
// there.
var batch sync.WaitGroup

func worker(res chan<- int, f func() int) {
	defer batch.Done()
	res <- f()
}

func Spawn(res chan<- int, f func() int) { go worker(res, f) }

func Collect(f func() int) int {
	res := make(chan int, 2)
	batch.Add(2)
	go worker(res, f)
	batch.Wait()
	return <-res
}
