package futures

import (
	"context"
	"iter"
	"maps"
	"sync"
)

// The parallel loops: python-parallelize's for loop in Go's idiom. Each
// runs work for the items of a range on an executor, at most as many at
// once as the executor has workers, and yields (key, result) in the
// range's order: the loop body that receives them runs on the caller's
// goroutine, one iteration after the other, exactly as the sequential
// loop would. Leaving the loop (break, return, goto, a panic) cancels the
// work not yet started and waits for the work running, so nothing of the
// loop runs once it is over. A panic in work is raised again by the
// iteration that would have run it.

// integer is the type set of the integers a for loop can range over.
type integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr
}

// ParallelSlice runs work(i, s[i]) for each index of s on ex (nil: the
// ParallelExecutor) and yields i and its result in index order. It is
// what the rewriter lowers an //asyncgo:parallel range loop over a slice
// to (see docs/parallel.md). As with a range loop, len(s) is read once;
// each element is read when its work starts.
func ParallelSlice[S ~[]E, E, R any](ex Executor, s S, work func(int, E) R) iter.Seq2[int, R] {
	return func(yield func(int, R) bool) {
		i := 0
		next := func() (int, E, bool) {
			if i == len(s) {
				var zero E
				return 0, zero, false
			}
			i++
			return i - 1, s[i-1], true
		}
		runLoop(ex, len(s), next, work, nil, yield, nil)
	}
}

// ParallelInt runs work(i) for i from 0 to n-1 on ex (nil: the
// ParallelExecutor) and yields i and its result in order, like
// `for i := range n`.
func ParallelInt[N integer, R any](ex Executor, n N, work func(N) R) iter.Seq2[N, R] {
	return func(yield func(N, R) bool) {
		var i N
		next := func() (N, struct{}, bool) {
			if i >= n {
				return 0, struct{}{}, false
			}
			i++
			return i - 1, struct{}{}, true
		}
		length := -1
		if n <= 0 {
			length = 0
		} else if uint64(n) < 1<<31 {
			length = int(n)
		}
		runLoop(ex, length, next, func(k N, _ struct{}) R { return work(k) }, nil, yield, nil)
	}
}

// ParallelMap runs work(k, v) for each entry of m on ex (nil: the
// ParallelExecutor) and yields k and its result, in the order in which a
// range loop over m visits the entries (which Go leaves unspecified).
// The map is ranged over by one goroutine at a time while the loop runs,
// so it must not be changed until the loop is over.
func ParallelMap[M ~map[K]V, K comparable, V, R any](ex Executor, m M, work func(K, V) R) iter.Seq2[K, R] {
	return func(yield func(K, R) bool) {
		next, stop := iter.Pull2(maps.All(m))
		runLoop(ex, len(m), next, work, stop, yield, nil)
	}
}

// ParallelChan runs work(v) for each value received from ch until it is
// closed, on ex (nil: the ParallelExecutor), and yields v and its result
// in the order received. Up to a few values per worker are received
// ahead of the loop body: leaving the loop early drops those.
func ParallelChan[V, R any](ex Executor, ch <-chan V, work func(V) R) iter.Seq2[V, R] {
	return func(yield func(V, R) bool) {
		quit := make(chan struct{})
		next := func() (V, struct{}, bool) {
			select {
			case v, ok := <-ch:
				return v, struct{}{}, ok
			case <-quit:
				var zero V
				return zero, struct{}{}, false
			}
		}
		runLoop(ex, -1, next, func(v V, _ struct{}) R { return work(v) }, nil, yield, quit)
	}
}

// runLoop runs one parallel loop: length is the number of items if known
// (else -1), next yields them (called by one goroutine at a time), done
// is called once nothing calls next any more. quit, if not nil, is closed
// when the loop stops, for a next that blocks to watch.
func runLoop[K, V, R any](ex Executor, length int, next func() (K, V, bool), work func(K, V) R, done func(), yield func(K, R) bool, quit chan struct{}) {
	if length == 0 {
		if done != nil {
			done()
		}
		return
	}
	ex = inProcess(ex)
	workers := max(1, ex.graph().max)
	if quit == nil {
		quit = make(chan struct{})
	}
	l := &ploop[K, V, R]{ex: ex, next: next, work: work, quit: quit, want: workers}
	l.ready.L = &l.mu
	l.slots = make([]pslot[K, R], 4*workers)
	if length > 0 {
		l.want = min(l.want, length)
	}
	defer func() {
		l.stop()
		if done != nil {
			done()
		}
	}()
	l.mu.Lock()
	l.spawn()
	l.mu.Unlock()
	for i := 0; ; i++ {
		k, r, ok := l.take(i)
		if !ok || !yield(k, r) {
			return
		}
	}
}

// ploop is the shared state of a parallel loop. Items are numbered in the
// order next yields them; item j's outcome goes to slots[j%len(slots)],
// which is free by then because at most len(slots) items are taken and
// not yet consumed. A runner that finds no free slot ends, giving its
// worker back to the executor (another loop, or a task the loop body
// waits for, may need it); the consumer starts runners again as it frees
// slots.
type ploop[K, V, R any] struct {
	ex   Executor
	next func() (K, V, bool)
	work func(K, V) R
	quit chan struct{} // closed by stop

	srcMu  sync.Mutex // next is called, and items numbered, under it
	seq    int        // items numbered so far
	srcEnd bool       // next has said there are no more

	mu        sync.Mutex
	ready     sync.Cond // the consumer waits: its item, the end, the runners' exit
	slots     []pslot[K, R]
	reserved  int // items taken (or being taken) so far
	consumed  int // items the loop body has received
	total     int // the number of items, once exhausted
	exhausted bool
	stopped   bool
	want      int                 // runners to keep going
	live      int                 // runners submitted and not started
	active    int                 // runners inside run
	runners   []*Future[struct{}] // runners perhaps not started, to cancel at the end
}

type pslot[K, R any] struct {
	k        K
	r        R
	panicked bool
	p        any
	done     bool
}

// spawn submits runners up to want while there is work and room for it;
// l.mu is held. If the executor refuses them, the caller does the work,
// as sequentially.
func (l *ploop[K, V, R]) spawn() {
	for l.active+l.live < l.want && !l.stopped && !l.exhausted && l.reserved < l.consumed+len(l.slots) {
		// Forget the runners that have started: only those still queued
		// are worth cancelling.
		kept := l.runners[:0]
		for _, f := range l.runners {
			if !f.Done() && !f.Running() {
				kept = append(kept, f)
			}
		}
		l.runners = kept
		f, err := Submit(l.ex, func(context.Context) (struct{}, error) { l.run(); return struct{}{}, nil }, Name("parallel loop runner"))
		if err != nil {
			return
		}
		l.live++
		l.runners = append(l.runners, f)
	}
}

// run is a runner task: it takes items and runs their work until there
// are none left, no free slot, or the loop stops.
func (l *ploop[K, V, R]) run() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.live--
	if l.stopped {
		return
	}
	l.active++
	for !l.stopped && !l.exhausted && l.reserved < l.consumed+len(l.slots) {
		l.reserved++
		l.mu.Unlock()
		l.fill()
		l.mu.Lock()
	}
	l.active--
	if l.active == 0 {
		l.ready.Broadcast()
	}
}

// fill takes the next item, for which a slot is reserved, and runs its
// work into the slot.
func (l *ploop[K, V, R]) fill() {
	l.srcMu.Lock()
	var (
		k  K
		v  V
		ok bool
		j  = l.seq
	)
	if !l.srcEnd {
		if k, v, ok = l.next(); ok {
			l.seq++
		} else {
			l.srcEnd = true
		}
	}
	l.srcMu.Unlock()
	if !ok {
		l.mu.Lock()
		l.reserved--
		l.exhausted, l.total = true, j
		l.ready.Broadcast()
		l.mu.Unlock()
		return
	}
	s := &l.slots[j%len(l.slots)]
	s.k = k
	s.r, s.panicked, s.p = l.call(k, v)
	l.mu.Lock()
	s.done = true
	if j == l.consumed {
		l.ready.Signal()
	}
	l.mu.Unlock()
}

func (l *ploop[K, V, R]) call(k K, v V) (r R, panicked bool, p any) {
	panicked = true
	defer func() {
		if panicked {
			p = recover()
		}
	}()
	r = l.work(k, v)
	return r, false, nil
}

// take waits for item i and returns it, or reports false at the end of
// the items. While no runner has taken item i (none started yet, or all
// busy elsewhere), the caller runs it: a loop always progresses, even
// inside a task of its own executor with every worker busy.
func (l *ploop[K, V, R]) take(i int) (K, R, bool) {
	l.mu.Lock()
	s := &l.slots[i%len(l.slots)]
	for !s.done {
		switch {
		case l.exhausted && i >= l.total:
			l.mu.Unlock()
			var (
				k K
				r R
			)
			return k, r, false
		case l.reserved == i:
			l.reserved++
			l.mu.Unlock()
			l.fill()
			l.mu.Lock()
		default:
			l.ready.Wait()
		}
	}
	k, r, panicked, p := s.k, s.r, s.panicked, s.p
	*s = pslot[K, R]{}
	l.consumed++
	if l.active+l.live < l.want { // a runner ended for want of room
		l.spawn()
	}
	l.mu.Unlock()
	if panicked {
		panic(p)
	}
	return k, r, true
}

// stop ends the loop: runners take no more items, those not started are
// cancelled, and stop returns once the running ones are out.
func (l *ploop[K, V, R]) stop() {
	l.mu.Lock()
	l.stopped = true
	close(l.quit)
	runners := l.runners
	l.mu.Unlock()
	for _, f := range runners {
		f.Cancel()
	}
	l.mu.Lock()
	for l.active > 0 {
		l.ready.Wait()
	}
	l.mu.Unlock()
}
