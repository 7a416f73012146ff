package lockorder

import "golang.org/x/tools/go/ssa"

// Recursion while holding the lock the function takes on entry (issue 14,
// item 1; rdeusser/logsip#18).
//
// A wrapper's method that means to call the embedded type's method of the
// same name calls itself instead (the wrapper's method shadows it):
//
//	func (l *Logger) SetOutput(w io.Writer) {
//		l.mu.Lock()
//		defer l.mu.Unlock()
//		l.SetOutput(w) // meant l.Logger.SetOutput
//	}
//
// A function's summary is not known while it is being analysed, so a
// recursive call (direct, or back through the functions it calls) used to
// count as taking no lock. The locks the function takes in its entry
// block, before any branch, are taken by every call of it: a recursive
// call made while one of them is held on the same instance locks it
// again. Locks taken later, under a condition (a recursion that stops
// before locking), are not counted.

// noteEntryAcq records a lock the function being analysed takes itself
// (a Lock call, not a callee's lock, which may depend on the guards of
// this run) in its entry block, for recursive calls of it
// (recursiveSummary).
func (f *fnChecker) noteEntryAcq(li *lockInfo) {
	if f.indirect > 0 || li.via != "" || li.maybe || li.once != "" || li.inst == "" || byClass(li.inst) {
		return
	}
	if f.block == nil || f.block != f.fn.Blocks[0] {
		return
	}
	a, ok := f.acqFor(li)
	if !ok {
		return
	}
	for _, e := range f.c.entryAcqs[f.fn] {
		if e.Root == a.Root && e.Path == a.Path && e.Read == a.Read {
			return
		}
	}
	if f.c.entryAcqs == nil {
		f.c.entryAcqs = map[*ssa.Function][]Acq{}
	}
	f.c.entryAcqs[f.fn] = append(f.c.entryAcqs[f.fn], a)
}

// recursiveSummary is the summary of a function still being analysed: the
// Onces it enters (once.go) and the locks its entry block takes.
func (c *checker) recursiveSummary(fn *ssa.Function) *Summary {
	s := c.onceSummary(fn)
	e := c.entryAcqs[fn]
	if len(e) == 0 {
		return s
	}
	out := *s
	out.Acquires = append(append([]Acq(nil), s.Acquires...), e...)
	return &out
}
