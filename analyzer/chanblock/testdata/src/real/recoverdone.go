package real

import (
	"log"
	"sync"
)

// Upstream: dedis/cothority#1954. A counted goroutine that swallows panics
// with a deferred recover but calls Done as a plain last statement: a
// panic in the work unwinds past the Done, the recover lets the goroutine
// return, and the Wait never returns.

type indexJob struct{ n int }

type indexer interface{ index(j *indexJob) error }

type eventLog struct {
	ix indexer
	wg sync.WaitGroup
}

func (e *eventLog) blockAdded(j *indexJob) {
	e.wg.Add(1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				log.Printf("index %d: %v", j.n, r)
			}
		}()
		if err := e.ix.index(j); err != nil { // want `a panic in this call is recovered by the goroutine's deferred recover \(line \d+\) and skips its wg.Done \(line \d+, not deferred\)`
			log.Print(err)
		}
		e.wg.Done()
	}()
}

func (e *eventLog) close() { e.wg.Wait() }

// The fix: Done is deferred, so it runs on the panic's way out too.
type eventLogFixed struct {
	ix indexer
	wg sync.WaitGroup
}

func (e *eventLogFixed) blockAdded(j *indexJob) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer func() {
			if r := recover(); r != nil {
				log.Printf("index %d: %v", j.n, r)
			}
		}()
		_ = e.ix.index(j)
	}()
}

func (e *eventLogFixed) close() { e.wg.Wait() }

// A variant written differently: a local WaitGroup handed to a named
// worker, whose recovering deferred function is a named one too.
func logPanic() {
	if r := recover(); r != nil {
		log.Print(r)
	}
}

func indexWorker(wg *sync.WaitGroup, ix indexer, j *indexJob) {
	defer logPanic()
	_ = ix.index(j) // want `a panic in this call is recovered .* and wg.Wait \(line \d+\) blocks forever`
	wg.Done()
}

func indexAll(ix indexer, jobs []*indexJob) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go indexWorker(&wg, ix, j)
	}
	wg.Wait()
}

// A variant of the early return on a WaitGroup field: the goroutine
// captures its object and returns on an error before s.wg.Done.
type shipper struct {
	ix indexer
	wg sync.WaitGroup
}

func (s *shipper) ship(j *indexJob) {
	s.wg.Add(1)
	go func() {
		if err := s.ix.index(j); err != nil {
			return // want `this goroutine, counted by wg.Add at line \d+, can return here without calling wg.Done`
		}
		s.wg.Done()
	}()
}

func (s *shipper) drain() { s.wg.Wait() }

// Look-alike: the recover panics again, so the program crashes instead of
// hanging; no report.
type rethrower struct {
	ix indexer
	wg sync.WaitGroup
}

func (r *rethrower) run(j *indexJob) {
	r.wg.Add(1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				log.Print(p)
				panic(p)
			}
		}()
		_ = r.ix.index(j)
		r.wg.Done()
	}()
}

func (r *rethrower) wait() { r.wg.Wait() }

// Look-alike: no recover, so a panic ends the program; the plain Done is
// reached on every path that returns.
type plainDone struct {
	ix indexer
	wg sync.WaitGroup
}

func (p *plainDone) run(j *indexJob) {
	p.wg.Add(1)
	go func() {
		_ = p.ix.index(j)
		p.wg.Done()
	}()
}

func (p *plainDone) wait() { p.wg.Wait() }

// Look-alike: the recover is registered only after the work, so a panic
// in the work is not recovered (it crashes); nothing between the recover
// and the Done can panic but the Done itself.
type lateRecover struct {
	ix indexer
	wg sync.WaitGroup
}

func (l *lateRecover) run(j *indexJob) {
	l.wg.Add(1)
	go func() {
		_ = l.ix.index(j)
		defer func() { _ = recover() }()
		l.wg.Done()
	}()
}

func (l *lateRecover) wait() { l.wg.Wait() }
