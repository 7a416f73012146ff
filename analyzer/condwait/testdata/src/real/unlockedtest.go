package real

import "sync"

// Upstream: sdcio/data-server#242 ("Bug: SchemaIndex.Retrieve() deadlock")
//
// Bug: an index entry is filled in by a loader goroutine that sets a
// ready flag under the entry's Cond lock and broadcasts. Retrieve read the
// flag without the lock and, finding it false, locked and waited once:
// the loader's change and Broadcast could fall between the test and the
// Wait, and Retrieve slept forever. Fix: test the flag under the lock, in
// a loop around the Wait (upstream dropped the Cond for a closed channel).

type loadEntry struct {
	cond  *sync.Cond
	ready bool
	val   string
}

func newLoadEntry() *loadEntry { return &loadEntry{cond: sync.NewCond(&sync.Mutex{})} }

func (e *loadEntry) load(parse func() string) {
	go func() {
		v := parse()
		e.cond.L.Lock()
		e.val, e.ready = v, true
		e.cond.L.Unlock()
		e.cond.Broadcast()
	}()
}

func (e *loadEntry) Retrieve() string {
	if !e.ready {
		e.cond.L.Lock()
		e.cond.Wait() // want `lost wake-up: Retrieve tests ready without cond's lock \(line \d+\) and only then locks and waits`
		e.cond.L.Unlock()
	}
	return e.val
}

// The fix: the test is made under the lock, in a loop.
func (e *loadEntry) RetrieveFixed() string {
	e.cond.L.Lock()
	defer e.cond.L.Unlock()
	for !e.ready {
		e.cond.Wait()
	}
	return e.val
}

// A variant: a job counter tested in a loop whose condition is read
// before the lock is taken each time round.
type jobTracker struct {
	mu      sync.Mutex
	idle    *sync.Cond
	running int
}

func newJobTracker() *jobTracker {
	t := &jobTracker{}
	t.idle = sync.NewCond(&t.mu)
	return t
}

func (t *jobTracker) Finish() {
	t.mu.Lock()
	t.running--
	t.mu.Unlock()
	t.idle.Signal()
}

func (t *jobTracker) Start() {
	t.mu.Lock()
	t.running++
	t.mu.Unlock()
}

func (t *jobTracker) Drain() {
	for t.running > 0 {
		t.mu.Lock()
		t.idle.Wait() // want `lost wake-up: Drain tests running without idle's lock`
		t.mu.Unlock()
	}
}

// A look-alike: a fast path reads the flag without the lock, and the slow
// path tests it again under the lock before it waits (double-checked).
func (e *loadEntry) RetrieveChecked() string {
	if !e.ready {
		e.cond.L.Lock()
		for !e.ready {
			e.cond.Wait()
		}
		e.cond.L.Unlock()
	}
	return e.val
}

// Another look-alike: the if that skips the Wait is tested under the
// lock.
func (e *loadEntry) RetrieveOnce() string {
	e.cond.L.Lock()
	if !e.ready {
		e.cond.Wait()
	}
	e.cond.L.Unlock()
	return e.val
}
