// Package holdlock defines an Analyzer that reports a sync.Mutex or
// sync.RWMutex held across a suspension point of async code.
//
// # Analyzer holdlock
//
// holdlock: report sync mutexes held across a suspension point
//
// The tasks of an event loop share one thread. A task that suspends
// (aio.Await, aio.Sleep, Gather, Queue.Get, Lock.Acquire, co.Yield, ...)
// while it holds a sync.Mutex lets the loop run other tasks; the first of
// them that locks the same mutex blocks the thread, so the task holding
// it never resumes and the loop deadlocks:
//
//	mu.Lock()
//	defer mu.Unlock()
//	v, err := aio.Await(t, Fetch(url)) // mu is held across the suspension
//
// The pass follows each function's control flow (golang.org/x/tools/go/cfg):
// a lock taken and released before the suspension is fine; a deferred
// Unlock keeps the lock to the end of the function; a lock released on some
// paths only is reported as maybe held; TryLock holds the lock on its true
// branch. Read locks are reported too, since a writer waits for every
// reader. The report names the lock, the suspension, and where the lock was
// taken (related information).
//
// Through callees (facts, across packages): a call of a function that
// takes the task handle and may suspend is a suspension point; a function
// that returns with a lock of its receiver, a parameter or a package
// variable held (a lock helper such as `func (s *S) lock() { s.mu.Lock() }`)
// takes that lock at its call sites, and one that releases it releases it.
// A suspending callee that releases a lock of its caller around its waits
// (as sync.Cond.Wait does) is not reported for that lock. A helper that
// may return without the lock (an early error return) is not a lock helper.
//
// An aio.Lock held across a suspension is fine: that is what it is for.
// Not followed: locks reached through local pointer copies, locks in maps or
// slices, calls through interfaces or function values, and goroutines.
package holdlock

// Doc is the analyzer's documentation.
const Doc = `report sync mutexes held across a suspension point

A task that suspends (aio.Await, aio.Sleep, Gather, Queue.Get, co.Yield, a
call of an async function that suspends, ...) while holding a sync.Mutex or
RWMutex deadlocks its single-threaded loop as soon as another task locks
it. Report each suspension reached with a mutex held on some path, with
where the lock was taken; use aio.Lock between tasks.`
