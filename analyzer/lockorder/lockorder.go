// Package lockorder defines an Analyzer that finds the classic Go lock
// deadlocks before they happen.
//
// # Analyzer lockorder
//
// lockorder: report mutex deadlocks: double locking, lock-order inversion,
// recursive read locking and waits made while holding a lock the waker needs.
//
// It follows every path of every function of the package (on SSA), keeping
// the set of sync.Mutex and sync.RWMutex locks certainly held, and reports:
//
//   - double locking: a mutex locked again while it is held on every path
//     to this point, directly or inside a callee (also across packages,
//     through facts that say which locks a function acquires);
//   - lock-order inversion: one function locks A then B while another locks
//     B then A (the two goroutines running them can each hold one lock and
//     wait forever for the other);
//   - recursive read locking: RLock of an RWMutex already read-locked by the
//     same goroutine, when the package also write-locks it (a writer that
//     arrives between the two RLocks blocks the second one), also through
//     another path to the same type's field (a goroutine its constructor
//     starts on the new object, a map element), unless that object is not
//     yet published to other goroutines when it is write-locked;
//   - waiting on a channel, WaitGroup or Cond while holding a lock that every
//     goroutine which could wake the waiter must take first.
//
// Mutexes are named by their field path (the receiver's mu, a package
// variable, the mu of what a field points to), so distinct instances of the
// same field are kept apart within a function; across functions an
// inversion is reported only when both orders involve the same paths of the
// same root. Besides, as the Linux kernel's lockdep does, a mutex has a
// lock class, the type and field that hold it ("pkg.T.mu", or its package
// variable): s.mu and r.store.mu reached through a back-pointer, a map or
// slice element or a call's result are the same class, and two classes
// taken in both orders are reported "by lock class" (the objects may
// differ; the message says so), except that the lock of an object the
// function allocated and has not yet published to other goroutines orders
// nothing. A method called on a map or slice element (an index, a lookup,
// a range) locks its receiver's class: the lock is ordered by class after
// the caller's held locks instead of being dropped for want of an
// instance. TryLock never blocks and is ignored. A lock released before the
// wait, a buffered channel send, or a waker that does not need the lock are
// not reported.
//
// Precision on real code (issue 14): each function is analysed once per
// valuation of the bool values that decide whether it locks (see guards.go),
// so `if needLock { mu.Lock(); defer mu.Unlock() }` called as f(false) under
// the lock, or Lock and Unlock under the same condition, are not reported;
// an Unlock releases a lock held on some paths only; a callee that unlocks
// its caller's lock and takes it again is summarised as holding it, and the
// locks it takes meanwhile give the caller no order edge, but the lock it
// takes again is ordered after the caller's other held locks (reacquire.go:
// it waits for it holding them); a function that
// closes the channel it waits on (close, or wait for whoever closes) is not
// a wait; a waker that calls the waiting function is not another goroutine.
//
// Calls that are not static count at the call site (indirect.go): the one
// implementation in the package of an interface declared there, or among
// the package's and its imports' types of one declared in another package
// outside the standard library (otherimpl.go), or, with several, the one
// type the package gives the value called (every store into the field,
// every argument its call sites pass, ifaceflow.go); the one function stored in
// an unexported callback field, also when a constructor stores its
// parameter there and the package's own calls pass it (paramcb.go), not
// counting functions stored there that neither lock nor wait (a no-op
// default such as func() {}): the one left may run at the call; for an
// object a constructor call of this very function built, the closure
// passed there, with the values it captured here (localcb.go);
// sync.Once.Do's and sort.Slice's function, and the String or Error method
// fmt and log call on an operand. Condition variables (cond.go): a Wait on
// an unexported Cond nothing signals, and a lost wake-up (a Wait with no
// predicate loop). A waker in a loop, or a deferred waker, may be blocked
// on any lock its loop or function takes, when it wakes a field's channel
// or WaitGroup (also a field of the object a constructor allocated and
// the goroutine it starts captured).
//
// Besides (issue 14, items 1, 3 and 5): a double lock by class through a
// back-pointer the package sets from the owner (backptr.go) or a pointer
// field aliasing another struct's mutex (alias.go); a lock left held on
// some returns and not others, or on some paths to one return while its
// own Unlock frees the others, that nothing in the package releases later
// (leftheld.go); a blocking select made while holding a lock every waker
// of every case takes first (selectwait.go).
//
// Also (issue 14, items 2, 3 and 5): a function passed as a parameter runs
// with the locks its callee holds when it calls it (paramcall.go), and a
// function passed to a setter that captures the setter's receiver locks
// that very object (paramcb.go); a sync.Once, or a OnceFunc/OnceValue
// wrapper kept in a variable or field, is held while its function runs,
// so entering it again from inside is reported (once.go), also when the
// function literal and the method calling the wrapper call each other
// (a cycle, followed up to four calls) and the literal captures the object
// whose field keeps the wrapper; a lock left
// held by a call that returns a handle (tx := db.Begin(), released by
// tx.Commit through tx.db) is reported where a return drops the handle
// with the lock still held, also when the handle went only to methods of
// its own or to helpers of the package that keep it local (handle.go). An inversion whose two sides both
// hold a third lock, one of them for writing, is kept apart by that gate
// and not reported (gate.go).
//
// A closure stored into an object's callback field that captures the
// value to whose slice or map field the object is then added (Subscribe:
// sub.unsubscribe = func() { m.mu.Lock() … }; m.subscribers =
// append(m.subscribers, sub)) locks that owner: called on an element of
// the container, directly or through a wrapper method, while the owner's
// lock is held, it is a double lock on one instance (owner.go). So is a
// closure or method value passed to a constructor whose result the
// caller keeps in a pointer field or container of a value it captures
// (c.stream = newStream(func() { c.mu.Lock() … })): called by that
// object, it locks the object's owner (paramcb.go); a call of a generic
// constructor's instance counts as a call of its body. The same
// holds for a pointer field the package sets to the value whose container
// the object is added to (ln := &listener{s: s}; s.listeners[k] = ln):
// a method called on an element of s.listeners that locks its receiver's
// s.mu locks the container owner's mu, when every store into that field
// in the package is such a link. An interface method with several
// implementations in the package (up to four) takes, at the call, the
// locks every implementation takes at the same place (common.go).
//
// A reply channel with no instance of its own (returned by a helper that
// makes it into a pending entry's field, or kept in a map of channels by
// request id, or sent over a request channel kept in a field) is named by
// the field that keeps it, so a receive on it meets the sends and closes
// on that field wherever they are; a buffered
// one counts as a wait when it was made while the lock held at the
// receive was already held (nothing could have answered it without that
// lock). Exported methods of an unexported type that no interface the
// package converts it to exposes wake with their callers' locks, as
// unexported functions do (reply.go).
//
// Development-set rules of round 2 (issue 14): a double lock out and back
// through two fields pointing two types at each other (mutual.go); a
// function passed to a callee that calls it holding a map or slice
// element's lock orders by class (paramcall.go); a callee's wait on an
// element's field is named by the element's type, and a deferred or loop
// waker needs the locks of an interface call with one implementation
// (elem.go); an exported callback field runs the one function the package
// stores there bound to the field's own object (selfcb.go); a loop over a
// map that keeps each element locked into the next iteration (maporder.go);
// a goroutine that runs a function it was given and then wakes needs that
// function's locks (gowake.go); a lock held across a receive from the
// caller's stop channel that another function takes (lifetime.go).
//
// Development-set rules of round 3 (issue 14): a handle returned as an
// interface value, beside a context, is a handle (handle.go); a callback
// field called on a map or slice element, or a function taken from a
// slice or map field, may run any of the known functions registered
// there (up to eight), and an interface method called on the elements a
// range yields any of its implementations, whose locks are then ordered
// after the held ones by class (indirect.go, funcelem.go); a callback
// field only users fill (through an exported setter or constructor, or
// an exported field the package never sets) runs
// the one closure a factory of the package makes for an object of the
// field's owner type, bound to that object (factorycb.go).
//
// Development-set rules of round 5 (issue 14): a lock known by class only
// (its object reached through a container, an interface or a callback's
// argument) keeps the back field it was reached through; when the package
// sets that field to an owner and hands the object to that owner (a
// listener made with a pointer to the binding it is added to, a
// connection whose error handler is the pool that keeps it), locking the
// owner's class again while it is held, however many calls down, is a
// double lock on the owner's own registration, also when the registry's
// loop runs listeners of several types (regback.go). A parameter compared
// with nil guards the effects of its branches as a bool parameter does:
// "use the caller's transaction, or open one" called with an open one from
// inside the transaction does not lock again (nilguard.go); only a value
// the caller proves nil or not (a constant, an address, a nil test
// deciding the way to the call, what a callback's caller passes) drops a
// branch: a map lookup or a field load may be nil.
//
// Resolution gaps closed by round 6 (issue 14): a recursive call counts
// the locks the function takes in its entry block (recursion.go); a
// field an embedded base calls back through, which the package sets only
// to the embedding object, leads back to that object (selflink.go); the
// same SSA value locked directly and by its own method is one mutex
// though known by class only (samevalue.go); a named func type whose
// method calls its receiver runs the functions the package converts to
// it (funcadapter.go); a mutex in an unnamed struct field is named by
// that field ("pkg.T.mu.Mutex"); a deferred Unlock covers only the
// returns it reaches (leftheld.go).
//
// Resolution gaps closed by round 7 (issue 14): a function registered
// with a method of the object it captures, kept in that object's slice
// or map field, runs on that very object when the object ranges over the
// field, also when it was passed as a named func type (funcelem.go); a
// pointer field of an object the function allocates and sets once (r :=
// &renderer{button: b}) leads to the value stored there (litfield.go); a
// hook the package sets on a child object to a function bound to the
// child's parent (srv.stack.OnFlow = srv.onFlow) runs on an object of
// the parent's type (selfcb.go), a deferred or loop waker needs the locks
// of the one function a function value it calls runs, and a callee's
// wait on its parameter's WaitGroup field meets the Done calls on that
// field wherever they are.
//
// Resolution gaps closed by round 8 (issue 14): two locks of one class
// nested along a parent field and the children container the package
// links it to (a node is added to the children of the value it sets as
// its parent) are told apart as parent and child; a package that nests
// them upward in one place and downward in another, also through a local
// slice filled from the children or a sort.Slice closure over one, is
// reported (treeorder.go). A send of the object whose lock the sender
// holds, to a loop that locks each value it receives from that channel
// field, waits for a receiver that is blocked on that lock, also inside a
// callee and in a select whose other cases end only at a shutdown close
// (sentwait.go).
package lockorder

import (
	"fmt"
	"go/token"
	"go/types"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"
)

// Analyzer reports double locking, lock-order inversion, recursive read
// locking and waits made while holding a lock the waker needs.
var Analyzer = &analysis.Analyzer{
	Name:      "lockorder",
	Doc:       "report mutex deadlocks: double locking, lock-order inversion (AB-BA), recursive RLock and waits made while holding a lock the waker needs",
	URL:       "https://pkg.go.dev/github.com/asyncgo/asyncgo/analyzer/lockorder",
	Requires:  []*analysis.Analyzer{buildssa.Analyzer},
	FactTypes: []analysis.Fact{(*Summary)(nil)},
	Run:       run,
}

// Summary is the fact exported for a function: which locks it acquires,
// still holds on return, or releases without having acquired them. Locks
// are named relative to the function's parameters or package variables.
type Summary struct {
	Acquires []Acq // acquired by the function or its callees (and maybe released again)
	Holds    []Acq // still held when it returns normally
	Releases []Acq // released without having been acquired by it
	Waits    []Acq // channels, WaitGroups and Conds it may block on (Kind says how)
	Wakes    []Acq // channels, WaitGroups and Conds it may wake (Kind: which waiters)

	Stores    []Store    // a constructor's parameters stored into callback fields
	Callbacks []Callback // callback fields it calls, and the locks held then

	ParamCalls []ParamCall // parameters it calls, and the locks held then (paramcall.go)

	Results []ResultField // parameters its results keep in their fields (handle.go)

	GoWakes []GoWake // goroutines it starts that call a parameter, then wake (gowake.go)

	Reacquires []Acq // its caller's locks it releases and takes again (reacquire.go)
}

// AFact marks Summary as an analysis fact.
func (*Summary) AFact() {}

func (s *Summary) String() string {
	var parts []string
	for _, a := range s.Acquires {
		if a.Root == "" {
			parts = append(parts, "acquires class "+a.Lock+a.guardString())
			continue
		}
		parts = append(parts, "acquires "+a.Root+a.Path+a.guardString())
	}
	for _, a := range s.Holds {
		parts = append(parts, "holds "+a.Root+a.Path+a.guardString())
	}
	for _, a := range s.Releases {
		parts = append(parts, "releases "+a.Root+a.Path+a.guardString())
	}
	for _, a := range s.Reacquires {
		parts = append(parts, "reacquires "+a.Root+a.Path+a.guardString())
	}
	for _, a := range s.Waits {
		parts = append(parts, "waits("+a.Kind+") "+a.Root+a.Path+a.guardString())
	}
	for _, a := range s.Wakes {
		parts = append(parts, "wakes("+a.Kind+") "+a.Root+a.Path+a.guardString())
	}
	for _, st := range s.Stores {
		parts = append(parts, fmt.Sprintf("stores {p%d} in %s", st.Param, st.Field))
	}
	for _, cb := range s.Callbacks {
		var held []string
		for _, a := range cb.Held {
			held = append(held, a.Root+a.Path)
		}
		parts = append(parts, "calls "+cb.Field+" holding ["+strings.Join(held, " ")+"]")
	}
	for _, pc := range s.ParamCalls {
		var held []string
		for _, a := range pc.Held {
			held = append(held, a.Root+a.Path)
		}
		root := fmt.Sprintf("{p%d}", pc.Param)
		if pc.Param < 0 {
			root = fmt.Sprintf("{f%d}", -1-pc.Param)
		}
		parts = append(parts, fmt.Sprintf("calls %s holding [%s]", root, strings.Join(held, " ")))
	}
	return strings.Join(parts, ", ")
}

func (a Acq) guardString() string {
	if a.Guard == "" {
		return ""
	}
	return " if " + a.Guard
}

// Acq names one lock of a Summary.
type Acq struct {
	Root  string   // "{p0}" (parameter 0), "{f1}" (free variable 1) or "{g:pkg.name}"
	Path  string   // field path from the root, e.g. ".mu" or ".next^.mu"
	Class string   // class key when the root is a package variable
	Lock  string   // lock class: the type and field holding the mutex ("pkg.T.mu"), or its package variable
	Read  bool     // RLock
	Kind  string   // for Waits and Wakes: "recv", "send", "wg" or "cond"
	Needs []Acq    // for Wakes: locks the function acquires before waking
	Guard string   // "{p1}" or "!{p1}": only when that bool parameter (or free variable) is true or false; "?" when unknown
	Drops []string // for Acquires and Waits: the caller's locks ("{p0}.mu") the function has unlocked on every path before it
	Close bool     // for Wakes: the wake is a close
	Where string   // "file.go:12" where it is acquired, for messages
	Desc  string   // readable name inside the function, e.g. "s.mu"
	Alias string   // the pointer field ("pkg.R.mu") the mutex was reached through, when it aliases Lock's field
	Once  string   // "do": a sync.Once held while its function runs; "fn": a OnceFunc/OnceValue wrapper (once.go)
	From  string   // for Acquires by class only: the container ("{p0}.g") the locked object is an element of (mutual.go)
	Back  string   // for Acquires by class only: the back field ("pkg.T.owner") the locked object was reached through (regback.go)
	Sent  string   // for Waits of kind send: the value sent ("{p1}"), whose lock a receiver may take (sentwait.go)
	Until bool     // for a Wait with Sent: a select's send whose other cases wait for a shutdown; it counts for the sent value's lock only
	Src   string   // for Acquires by class only: the container ("{p0}.g") or captured local slice ("{f0}*") the locked object is an element of (treeorder.go)
	Field string   // for Waits of kind wg: the WaitGroup field ("pkg.T.wg") waited on, kept through wrappers (wgvia.go)

	pos token.Pos // same-package position (not exported in facts)
}

var (
	lockFuncs = map[string]bool{
		"(*sync.Mutex).Lock":    false,
		"(*sync.RWMutex).Lock":  false,
		"(*sync.RWMutex).RLock": true,
	}
	unlockFuncs = map[string]bool{
		"(*sync.Mutex).Unlock":    true,
		"(*sync.RWMutex).Unlock":  true,
		"(*sync.RWMutex).RUnlock": true,
	}
)

// lockInfo is one lock known to be held or acquired.
type lockInfo struct {
	inst, class string
	fkey        string // fieldKey of the mutex, for Cond.L matching
	read        bool
	pos         token.Pos // where this function acquires it (a Lock or a call)
	desc        string
	via         string          // callee through which it was acquired, or ""
	inner       token.Pos       // position inside a same-package callee
	where       string          // position inside a callee of another package
	drops       map[string]bool // locks the callee unlocked before acquiring this one
	maybe       bool            // acquired inside a callee under a condition not known here
	flagged     bool            // locked in a block guarded by a bool flag (a phi of constants)
	alias       string          // the pointer field it was reached through, when that aliases fkey
	once        string          // a sync.Once ("do") or once wrapper ("fn") held while its function runs (once.go)
	handle      *ssa.Call       // the call that returned a handle releasing it, when it was left held by that call (handle.go)
	from        string          // for a lock known by class only: the container ("{p0}.g") its object is an element of (mutual.go)
	back        string          // for a lock known by class only: the back field its object was reached through (regback.go)
	several     bool            // maybe only as one of the several functions a registry's elements run, each in turn
	obj         ssa.Value       // for a lock known by class only: the object value it was taken on (samevalue.go)
	src         string          // for a lock known by class only: the container its object is an element of, also through a local slice ("{p0}.g", "{f0}*"; treeorder.go)
	objPath     string          // and the field path from it
}

type state struct {
	held map[string]*lockInfo // by instance key
	acq  map[string]*lockInfo // acquired on every path so far, by class key
	may  map[string]*lockInfo // held on some path, by instance key
	unl  map[string]bool      // a caller's lock left unlocked on some path (unlocked, not locked again)
	owed map[string]bool      // a caller's lock was unlocked on some path: the function must lock it again
	drop map[string]bool      // unlocked on every path, and not locked again
	lent map[string]*lockInfo // held locks unlocked through a Locker, until it is locked again (locker.go)
	sig  map[string]bool      // Conds signalled on every path since the last lock taken (condhandshake.go)
	cw   map[string]string    // held locks last taken back by a Cond's Wait: instance key -> the Cond (condhandshake.go)
}

// release forgets a lock on this path.
func (s *state) release(key string) {
	delete(s.held, key)
	delete(s.may, key)
	delete(s.cw, key)
}

// unlock releases key on this path, whether it is held on every path, on
// some or on none; it reports whether it was held on every path (if not,
// the function may be releasing its caller's lock).
func (s *state) unlock(key string) bool {
	_, held := s.held[key]
	if !held {
		s.owed[key] = true
	}
	if !held || s.owed[key] {
		s.unl[key] = true
	}
	s.drop[key] = true
	s.release(key)
	return held
}

func newState() *state {
	return &state{held: map[string]*lockInfo{}, acq: map[string]*lockInfo{}, may: map[string]*lockInfo{}, unl: map[string]bool{}, owed: map[string]bool{}, drop: map[string]bool{}, lent: map[string]*lockInfo{}}
}

func (s *state) clone() *state {
	return &state{held: maps.Clone(s.held), acq: maps.Clone(s.acq), may: maps.Clone(s.may), unl: maps.Clone(s.unl), owed: maps.Clone(s.owed), drop: maps.Clone(s.drop), lent: maps.Clone(s.lent), sig: maps.Clone(s.sig), cw: maps.Clone(s.cw)}
}

// meet intersects s with o, reporting whether s changed.
func (s *state) meet(o *state) bool {
	changed := false
	for k := range s.held {
		if _, ok := o.held[k]; !ok {
			delete(s.held, k)
			changed = true
		}
	}
	for k := range s.acq {
		if _, ok := o.acq[k]; !ok {
			delete(s.acq, k)
			changed = true
		}
	}
	for k, v := range o.may {
		if _, ok := s.may[k]; !ok {
			s.may[k] = v
			changed = true
		}
	}
	for k := range o.unl {
		if !s.unl[k] {
			s.unl[k] = true
			changed = true
		}
	}
	for k := range o.owed {
		if !s.owed[k] {
			s.owed[k] = true
			changed = true
		}
	}
	for k := range s.drop {
		if !o.drop[k] {
			delete(s.drop, k)
			changed = true
		}
	}
	for k, v := range o.lent {
		if _, ok := s.lent[k]; !ok {
			s.lent[k] = v
			changed = true
		}
	}
	for k := range s.sig {
		if !o.sig[k] {
			delete(s.sig, k)
			changed = true
		}
	}
	for k, v := range s.cw {
		if o.cw[k] != v {
			delete(s.cw, k)
			changed = true
		}
	}
	return changed
}

func (s *state) equal(o *state) bool {
	if len(s.held) != len(o.held) || len(s.acq) != len(o.acq) || len(s.may) != len(o.may) || !maps.Equal(s.unl, o.unl) || !maps.Equal(s.owed, o.owed) || !maps.Equal(s.drop, o.drop) || len(s.lent) != len(o.lent) || !maps.Equal(s.sig, o.sig) || !maps.Equal(s.cw, o.cw) {
		return false
	}
	for k := range s.lent {
		if _, ok := o.lent[k]; !ok {
			return false
		}
	}
	for k := range s.may {
		if _, ok := o.may[k]; !ok {
			return false
		}
	}
	for k := range s.held {
		if _, ok := o.held[k]; !ok {
			return false
		}
	}
	for k := range s.acq {
		if _, ok := o.acq[k]; !ok {
			return false
		}
	}
	return true
}

type edge struct {
	held, acq *lockInfo
	fn        *ssa.Function
	gates     map[string]bool // other locks held meanwhile (by field key or class), and whether only read (gate.go)
	loop      bool            // a read lock held since the previous iteration of a loop (a deferred RUnlock)
}

type wait struct {
	ik                string        // instance key, "" if none
	callee            *ssa.Function // the callee the wait is inside, or nil
	class, kind, desc string
	fkey              string // fieldKey of the waited-on object
	via               string // " inside f (line n)" when the wait is in a callee
	held              []*lockInfo
	pos               token.Pos
	fn                *ssa.Function
	alts              []*wait           // a select's cases, each a wait of its own (selectwait.go)
	sent              string            // for a send: the instance key of the value sent (sentwait.go)
	until             bool              // a select's send whose other cases wait for a shutdown: only the sent value's lock counts
	cw                map[string]string // held locks a Cond's Wait took back before this wait (condhandshake.go)
}

type wake struct {
	acq      map[string]*lockInfo
	pos      token.Pos
	fn       *ssa.Function
	callee   *ssa.Function   // the callee the wake is inside, or nil
	deferred bool            // a deferred wake: it happens with the locks held at return
	fkey     string          // the field (or package variable) of the woken object, if known
	sig      map[string]bool // Conds signalled on every path since the waker's last lock (condhandshake.go)
	ik       string          // the woken object's instance key, if known (wgany.go)
}

type checker struct {
	pass          *analysis.Pass
	k             *keyer
	summaries     map[*ssa.Function]*Summary
	inProgress    map[*ssa.Function]bool
	entryAcqs     map[*ssa.Function][]Acq         // locks a function in progress takes in its entry block (recursion)
	selfLinks     map[string]*selfLink            // "pkg.B.F" -> a field the package sets only to the object embedding B (selflink.go)
	foreignUnlock map[string]bool                 // mutex fields a function unlocks without locking them (samevalue.go)
	adapted       map[*types.TypeName][]ssa.Value // functions converted to each named func type (funcadapter.go)
	edges         map[[2]string]*edge
	edgeOrder     [][2]string
	cedges        map[[2]string]*edge // by lock class
	cedgeOrder    [][2]string
	edgeAll       map[[2]string][]*edge // every edge of a key with its gates, up to maxGated (gate.go)
	cedgeAll      map[[2]string][]*edge
	waits         []*wait
	wakes         map[string][]*wake // class|kind
	fwakes        map[string][]*wake // field key|kind: the same wakes, by the field holding the object
	rlocks        []*edge            // recursive read locks: held, acq
	writers       map[string]token.Pos
	condLock      map[string][]string // cond field -> the lock class of its L (locker.go)
	chanSizes     map[string][]int64
	deferOnlyMemo map[*ssa.Function]bool // literals only ever deferred (deferwake.go)
	deferCalls    map[*ssa.Function]int  // defers of each function (deferwake.go)
	uses          map[*ssa.Function]int  // operands naming each function
	calls         map[*ssa.Function]int  // static calls (not go/defer) per function
	escapes       map[*ssa.Function]bool // used as a value, or started with go/defer
	reported      map[token.Pos]bool
	callees       map[*ssa.Function][]*ssa.Function // static calls

	lifetimeWaits  []*lifetimeWait                        // receives from the caller's stop channel under a lock (lifetime.go)
	lockers        map[string]map[*ssa.Function]token.Pos // functions locking each mutex class, and where
	mapOrders      []*mapOrder                            // loops locking a map's elements in its order (maporder.go)
	goTemplates    map[token.Pos]bool                     // wakes of goroutines that call a function they were given first (gowake.go)
	localTemplates map[token.Pos]bool                     // those of them whose starter only the package calls (gowake.go)
	ungatedCalls   map[*ssa.Function]bool                 // functions called somewhere without a write lock held
	reach          map[[2]*ssa.Function]bool

	prog        *ssa.Program
	impls       map[*types.Func][]*ssa.Function // interface method -> the package's implementations
	ifaceStores map[string][]ssa.Value          // interface field -> the values the package stores in it (ifaceflow.go)
	funcFields  map[string][]storedFunc         // callback field -> the functions stored in it
	unknownFunc map[string]bool                 // callback fields also given unknown functions
	conds       condInfo

	aliases    map[string]*aliasInfo         // pointer-to-mutex field -> what the package stores in it
	backs      map[string]*backInfo          // "pkg.T|field" -> a back-pointer field to T
	regBacks   map[string]*regBack           // back field -> the owner the package sets it to and hands the object to (regback.go)
	sites      map[*ssa.Function][]*ssa.Call // static call sites of the package's functions
	fwriters   map[string]token.Pos          // field key -> a write lock of that class
	pwriters   map[string]token.Pos          // field key -> a write lock of that class on an object other goroutines may see
	aliasRL    []*edge                       // read locks of one class, one through an alias
	backRL     []*backRead                   // read locks of one class, one back through a back-pointer
	paramFuncs map[string][]paramFunc        // callback field -> constructor parameters stored in it
	factories  []factoryFunc                 // closures returned for a parameter (factorycb.go)
	left       []*leftHeld                   // locks left held on some returns only
	released   map[string]bool               // field keys some function releases without acquiring
	lockerUnl  bool                          // the package unlocks a sync.Locker it cannot name
	sealed     *chanuse.Sealed               // the package's exported API, walked on first use (leftheld.go)
	ext        map[string][]storedFunc       // callback field of another package -> the functions this one passes

	condLs       []condL                  // Lockers given to sync.Conds (locker.go)
	lockerStores map[string][]lockerStore // Locker field -> the values stored into it
	lockerMemo   map[string]lockerRes     // Locker field -> what it may lock
	onceVars     map[string][]ssa.Value   // variable or field -> the functions once wrappers stored there wrap (once.go)
	onceBases    map[string]ssa.Value     // field -> the object a once wrapper was stored into (once.go)
	onceMemo     map[onceKey]*Summary     // onceSummaryDepth results (once.go)
	dropped      []*droppedHandle         // returns that drop a handle with its lock held (handle.go)
	paramMemo    map[*ssa.Parameter]lockerRes

	srcFuncs   []*ssa.Function
	backOwners map[string]*backOwner // back-pointer field -> the container field it links to (owner.go)
	treeEdges  []*treeEdge           // nestings of one class along linked parent and children fields (treeorder.go)
	chanSent   map[string]bool       // channel fields the package sends on (sentwait.go)
	chanClosed map[string]bool       // channel fields the package closes (sentwait.go)
	deadChans  map[string]bool       // channel fields nothing wakes, memo (neverwoken.go)
	adds       map[*ssa.Function][]addition
	retChans   map[*ssa.Function]retChan // functions returning a channel kept in a field (reply.go)

	makeFields   map[*ssa.MakeChan][]string  // the fields each make is stored into, directly or through a parameter (chanalias.go)
	paramFields  map[*ssa.Parameter][]string // the fields each parameter is stored into
	chanAlias    map[string][]string         // channel fields that hold the same channel
	ifaceMethods map[string]bool             // "T.m": a method of T some interface exposes (reply.go)
}

func run(pass *analysis.Pass) (any, error) {
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	c := &checker{
		pass:          pass,
		k:             newKeyer(ssainput.SrcFuncs),
		summaries:     map[*ssa.Function]*Summary{},
		inProgress:    map[*ssa.Function]bool{},
		edges:         map[[2]string]*edge{},
		cedges:        map[[2]string]*edge{},
		edgeAll:       map[[2]string][]*edge{},
		cedgeAll:      map[[2]string][]*edge{},
		wakes:         map[string][]*wake{},
		fwakes:        map[string][]*wake{},
		writers:       map[string]token.Pos{},
		condLock:      map[string][]string{},
		chanSizes:     map[string][]int64{},
		deferOnlyMemo: map[*ssa.Function]bool{},
		deferCalls:    map[*ssa.Function]int{},
		uses:          map[*ssa.Function]int{},
		calls:         map[*ssa.Function]int{},
		escapes:       map[*ssa.Function]bool{},
		reported:      map[token.Pos]bool{},
		callees:       map[*ssa.Function][]*ssa.Function{},
		reach:         map[[2]*ssa.Function]bool{},

		prog:        ssainput.Pkg.Prog,
		impls:       map[*types.Func][]*ssa.Function{},
		funcFields:  map[string][]storedFunc{},
		unknownFunc: map[string]bool{},
		conds:       condInfo{signals: map[string][]*condUse{}, escapes: map[string]bool{}, loopCalled: map[*ssa.Function]bool{}},

		aliases:       map[string]*aliasInfo{},
		backs:         map[string]*backInfo{},
		regBacks:      map[string]*regBack{},
		selfLinks:     map[string]*selfLink{},
		foreignUnlock: map[string]bool{},
		sites:         map[*ssa.Function][]*ssa.Call{},
		fwriters:      map[string]token.Pos{},
		pwriters:      map[string]token.Pos{},
		paramFuncs:    map[string][]paramFunc{},
		released:      map[string]bool{},

		lockerStores: map[string][]lockerStore{},
		lockerMemo:   map[string]lockerRes{},
		paramMemo:    map[*ssa.Parameter]lockerRes{},

		srcFuncs:   ssainput.SrcFuncs,
		backOwners: map[string]*backOwner{},
		chanSent:   map[string]bool{},
		chanClosed: map[string]bool{},
		deadChans:  map[string]bool{},
		adds:       map[*ssa.Function][]addition{},
		retChans:   map[*ssa.Function]retChan{},

		goTemplates:    map[token.Pos]bool{},
		localTemplates: map[token.Pos]bool{},

		makeFields:  map[*ssa.MakeChan][]string{},
		paramFields: map[*ssa.Parameter][]string{},
		chanAlias:   map[string][]string{},
	}
	for _, fn := range ssainput.SrcFuncs {
		c.scanObjects(fn)
	}
	c.scanOnceInit(ssainput.Pkg.Func("init"))
	c.chanAliases()
	c.resolveConds()
	for _, fn := range ssainput.SrcFuncs {
		c.noteBackPointers(fn)
		c.noteRegBacks(fn)
		c.noteBackOwners(fn)
		c.noteSelfLinks(fn)
		c.noteForeignUnlocks(fn)
		c.noteChanUses(fn)
	}
	for _, fn := range ssainput.SrcFuncs {
		c.summaryOf(fn)
	}
	c.reportLeftHeld()
	c.reportDroppedHandles()
	c.reportAliasRLocks()
	c.reportBackRLocks()
	c.reportInversions()
	c.reportTreeInversions()
	c.reportRLocks()
	c.reportWaits()
	c.reportLifetimeWaits()
	c.reportMapOrders()
	c.reportConds()
	return nil, nil
}

// scanObjects records which lock guards each Cond and how channels stored
// in fields or variables are made.
func (c *checker) scanObjects(fn *ssa.Function) {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			c.scanCond(fn, instr)
			c.noteLockers(instr)
			var ops [32]*ssa.Value
			for _, op := range instr.Operands(ops[:0]) {
				if g, ok := (*op).(*ssa.Function); ok {
					c.uses[g]++
					if d, ok := instr.(*ssa.Defer); ok && d.Call.Value == g {
						c.deferCalls[g]++
					}
					if call, ok := instr.(*ssa.Call); ok && call.Call.Value == g {
						c.calls[g]++
						c.callees[fn] = append(c.callees[fn], g)
					} else {
						c.escapes[g] = true
					}
				}
			}
			switch in := instr.(type) {
			case *ssa.Return:
				c.noteFactory(fn, in)
			case *ssa.Call:
				if callee := in.Call.StaticCallee(); callee != nil && !in.Call.IsInvoke() {
					if o := callee.Origin(); o != nil {
						// A generic function's body is its origin's: a
						// call of an instance is a call of it.
						callee = o
					}
					c.sites[callee] = append(c.sites[callee], in)
				}
				if in.Call.IsInvoke() && (in.Call.Method.Name() == "Unlock" || in.Call.Method.Name() == "RUnlock") && lockerKey(in.Call.Value) == "" {
					c.lockerUnl = true
				}
			case *ssa.Store:
				c.noteOnceStore(in)
				c.noteFuncStore(in)
				c.noteFuncElemStore(in)
				c.noteAlias(in)
				c.noteRegSizes(in)
				c.noteChanAlias(in)
			case *ssa.MapUpdate:
				c.noteFuncElemStore(in)
				c.noteRegSizes(in)
			case *ssa.MakeChan:
				size := int64(-1)
				if n, ok := constInt(in.Size); ok {
					size = n
				}
				if cls := c.k.class(in); cls != "" {
					c.chanSizes[cls] = append(c.chanSizes[cls], size)
				}
				for _, r := range *in.Referrers() {
					if st, ok := r.(*ssa.Store); ok && st.Val == in {
						if cls := fieldKey(st.Addr); cls != "" {
							c.chanSizes[cls] = append(c.chanSizes[cls], size)
						} else if cls := c.k.class(st.Addr); cls != "" {
							c.chanSizes[cls+"^"] = append(c.chanSizes[cls+"^"], size) // a captured local
						}
					}
				}
			}
		}
	}
}

// unbuffered reports whether every channel known to be stored under class
// is unbuffered (and at least one is known).
func (c *checker) unbuffered(v ssa.Value) bool {
	sizes := c.chanSizes[c.k.class(v)]
	if fk := fieldKey(v); fk != "" {
		sizes = append(sizes, c.chanSizes[fk]...)
	}
	if rk := regTaken(v); rk != "" {
		sizes = append(sizes, c.chanSizes["{F:"+rk+"}"]...)
	}
	if call, ok := v.(*ssa.Call); ok {
		if ic, ik := c.invokedAccessor(call); ic != "" {
			sizes = append(sizes, c.chanSizes[ic]...)
			if ik != "" {
				sizes = append(sizes, c.chanSizes[ik]...)
			}
		}
	}
	if len(sizes) == 0 {
		return false
	}
	for _, s := range sizes {
		if s != 0 {
			return false
		}
	}
	return true
}

// funcName returns fn's full name ("(*sync.Mutex).Lock"). The pass asks
// it of the same callees again and again (every lock test of every
// instruction, each guard run), and building the string was a tenth of
// the pass's time on std, so the names of the few programs asked about
// last are kept (see names.go).
func funcName(fn *ssa.Function) string {
	if fn.Origin() != nil {
		fn = fn.Origin()
	}
	return names.of(fn)
}

func fullName(fn *ssa.Function) string {
	if obj, ok := fn.Object().(*types.Func); ok {
		return obj.FullName()
	}
	return fn.String()
}

func isNamed(t types.Type, pkg, name string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg && n.Obj().Name() == name
}

// summaryOf analyzes fn (once) and returns its summary; functions of other
// packages come from facts.
func (c *checker) summaryOf(fn *ssa.Function) *Summary {
	if fn.Origin() != nil {
		fn = fn.Origin()
	}
	if s, ok := c.summaries[fn]; ok {
		return s
	}
	if fn.Pkg == nil || fn.Pkg.Pkg != c.pass.Pkg || fn.Blocks == nil {
		s := new(Summary)
		if obj := fn.Object(); obj != nil && obj.Pkg() != nil && obj.Pkg() != c.pass.Pkg {
			c.pass.ImportObjectFact(obj, s)
		}
		c.summaries[fn] = s
		return s
	}
	if c.inProgress[fn] {
		return c.recursiveSummary(fn)
	}
	c.inProgress[fn] = true
	s := (&fnChecker{c: c, fn: fn}).analyze()
	s.Stores = c.storesOf(fn)
	s.GoWakes = goWakes(fn)
	for _, gw := range s.GoWakes {
		c.goTemplates[gw.Wake.pos] = true
		if obj := fn.Object(); obj != nil && !obj.Exported() {
			c.localTemplates[gw.Wake.pos] = true
		}
	}
	if len(s.Holds) > 0 {
		s.Results = append(resultFields(fn), c.wrapperResults(fn)...) // a handle: only a function that returns holding a lock (handle.go)
	}
	delete(c.inProgress, fn)
	c.summaries[fn] = s
	if obj := fn.Object(); obj != nil && len(s.Acquires)+len(s.Holds)+len(s.Releases)+len(s.Reacquires)+len(s.Waits)+len(s.Wakes)+len(s.Stores)+len(s.Callbacks)+len(s.ParamCalls)+len(s.Results)+len(s.GoWakes) > 0 {
		c.pass.ExportObjectFact(obj, s)
	}
	return s
}

// fnChecker runs the held-lock dataflow over one function.
type fnChecker struct {
	c     *checker
	fn    *ssa.Function
	final bool

	acquires    map[string]Acq
	releases    map[string]Acq
	holds       map[string]*lockInfo // intersection over returns
	acqAtReturn map[string]*lockInfo
	returns     int
	block       *ssa.BasicBlock // the block being analysed
	waitsSum    map[string]Acq
	wakesSum    map[string]Acq
	deferRel    map[string]bool
	deferRelAt  map[string][]*ssa.BasicBlock // the blocks of those defers (leftheld.go)
	deferAll    bool
	deferWakes  []*wakeOp

	// Path conditions: the function is analysed once per valuation of its
	// guards (bool values that decide whether it locks), so that a Lock
	// and an Unlock under the same condition, or a lock a bool parameter
	// asks for, are matched.
	guards   []ssa.Value
	val      map[ssa.Value]bool // this run's valuation of the guards
	run      int
	findings map[token.Pos]*finding

	deferUnlocked map[string]bool // locks some defer unlocks
	closes        map[string]bool // channels this run closes (directly or in a callee)
	pendingWaits  []*wait
	retHeld       []map[string]*lockInfo // at each return: locks held
	retUnl        []map[string]bool      // and the caller's locks left unlocked
	retMay        []map[string]*lockInfo // and the locks held on some path to it
	retAt         []*ssa.Return          // the returns, in the same order

	loopLk     map[*ssa.BasicBlock][]*lockInfo // locks taken in the loop around a block
	indirect   int                             // depth of synthetic calls being applied (callbacks, interface methods)
	maybeCall  bool                            // the synthetic call is one of several possible targets
	viaSite    *ssa.Call                       // the constructor call that passed the callback being applied
	callSite   map[*ssa.CallCommon]*ssa.Call   // for a call of several stored callbacks, the constructor call that passed each
	eachRun    map[*ssa.CallCommon]bool        // of those, the ones certain to run if registered: bound to the ranged container's owner (funcelem.go)
	viaSelf    *ssa.FieldAddr                  // the exported field holding the self-bound callback being applied (selfcb.go)
	viaFactory *ssa.Function                   // the factory that made the callback being applied (factorycb.go)
	cbUses     map[string]Callback             // callback fields called, with the locks held (xcallback.go)

	paramCalls    map[int]map[string]Acq // parameters called, with the locks held (paramcall.go)
	paramArgNames map[int][]string       // what those calls pass, where they agree (paramcall.go)
	curCall       *ssa.Call              // the call instruction being applied
	viaParam      *ssa.Function          // the callee whose parameter the function being applied was passed to
	viaFree       bool                   // viaParam is a closure that captured the function rather than a parameter

	freshAt map[ssa.Value]map[string]bool // reply channels made, and the locks held then (reply.go)
}

// finding is a double lock found in some runs of a function.
type finding struct {
	runs []int
	emit func(suffix string)
}

type wakeOp struct {
	class, kind string
	fkey        string
	ik          string // the woken object's instance key, if known (wgany.go)
	pos         token.Pos
}

func (f *fnChecker) analyze() *Summary {
	f.prescan()
	f.guards = f.guardCandidates()
	f.findings = map[token.Pos]*finding{}
	n := 1 << len(f.guards)
	sums := make([]*Summary, n)
	for m := range n {
		f.run = m
		f.val = map[ssa.Value]bool{}
		for i, g := range f.guards {
			f.val[g] = m&(1<<i) != 0
		}
		sums[m] = f.analyzeOnce()
	}
	f.flushFindings(n)
	return f.combine(sums)
}

// analyzeOnce runs the dataflow under the current valuation f.val.
func (f *fnChecker) analyzeOnce() *Summary {
	blocks := f.fn.Blocks
	f.final = false
	in := make([]*state, len(blocks))
	out := make([]*state, len(blocks))
	in[0] = newState()
	if f.fn.Recover != nil {
		in[f.fn.Recover.Index] = newState()
	}
	// Fixpoint over a must-analysis: a block's input is the intersection of
	// its computed predecessors' outputs.
	for iter := 0; iter < 4*len(blocks)+4; iter++ {
		changed := false
		for _, b := range blocks {
			var s *state
			if b.Index == 0 || b == f.fn.Recover {
				s = newState()
			} else {
				for _, p := range b.Preds {
					if out[p.Index] == nil || f.deadEdge(p, b) {
						continue
					}
					if s == nil {
						s = out[p.Index].clone()
					} else {
						s.meet(out[p.Index])
					}
				}
			}
			if s == nil {
				continue
			}
			if in[b.Index] != nil && in[b.Index].equal(s) && out[b.Index] != nil {
				continue
			}
			in[b.Index] = s
			o := s.clone()
			f.block = b
			for _, instr := range b.Instrs {
				f.step(instr, o)
			}
			if out[b.Index] == nil || !out[b.Index].equal(o) {
				out[b.Index] = o
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	// Final pass: record findings and the summary from the stable inputs.
	f.final = true
	f.acquires = map[string]Acq{}
	f.releases = map[string]Acq{}
	f.deferRel = map[string]bool{}
	f.deferRelAt = map[string][]*ssa.BasicBlock{}
	f.waitsSum = map[string]Acq{}
	f.wakesSum = map[string]Acq{}
	f.deferAll = false
	f.deferWakes = nil
	f.holds, f.acqAtReturn, f.returns = nil, nil, 0
	f.closes = map[string]bool{}
	f.pendingWaits = nil
	f.retHeld, f.retUnl, f.retMay, f.retAt = nil, nil, nil, nil
	f.cbUses = map[string]Callback{}
	f.paramCalls = nil
	f.paramArgNames = nil
	f.freshAt = nil
	for _, b := range blocks {
		if in[b.Index] == nil {
			continue
		}
		s := in[b.Index].clone()
		f.block = b
		for _, instr := range b.Instrs {
			f.step(instr, s)
		}
	}
	for _, w := range f.deferWakes {
		if f.c.wakesAtCaller(f.fn) {
			break
		}
		acq := f.acqAtReturn
		if strings.HasPrefix(w.class, "{T:") || strings.HasPrefix(w.class, "{g:") || strings.HasPrefix(w.class, "{F:") || w.fkey != "" && strings.HasPrefix(w.class, "{a:") {
			// A deferred wake of a lasting object (a field's channel or
			// WaitGroup, a channel kept in a map or slice field (regchan.go),
			// also of the object the enclosing constructor
			// allocated and its goroutine captured) comes after
			// everything the function does: a Lock anywhere in it, on
			// any path, can keep the waker from getting there (grpc-go
			// #4536's balancer goroutine, a worker that locks on its
			// error path, etcd #6873's coalesce loop).
			acq = maps.Clone(acq)
			if acq == nil {
				acq = map[string]*lockInfo{}
			}
			for _, li := range f.locksIn(func(*ssa.BasicBlock) bool { return true }) {
				if _, ok := acq[li.class]; !ok {
					acq[li.class] = li
				}
			}
		}
		f.c.addWake(w.class, w.kind, &wake{acq: acq, pos: w.pos, fn: f.fn, deferred: true, fkey: w.fkey, ik: w.ik})
	}
	// Close or wait for the closer: a function that closes the channel it
	// waits on waits only for another run of itself, which closes it.
	for _, w := range f.pendingWaits {
		if w.kind == "recv" && w.ik != "" && f.closes[w.ik] || slices.ContainsFunc(w.alts, func(a *wait) bool { return a.kind == "recv" && a.ik != "" && f.closes[a.ik] }) {
			continue
		}
		f.c.waits = append(f.c.waits, w)
	}
	f.noteLeftHeld()
	f.noteDroppedHandles()
	return f.summary()
}

func (f *fnChecker) summary() *Summary {
	s := new(Summary)
	s.Callbacks = f.callbacksSum()
	s.ParamCalls = f.paramCallsSum()
	var keys []string
	for k := range f.acquires {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, rel := f.releases[k]; rel {
			// released then re-acquired: the caller's lock, not a new one
			s.Reacquires = append(s.Reacquires, f.acquires[k])
			continue
		}
		s.Acquires = append(s.Acquires, f.acquires[k])
	}
	keys = keys[:0]
	for k := range f.releases {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s.Releases = append(s.Releases, f.releases[k])
	}
	for _, m := range []struct {
		from map[string]Acq
		to   *[]Acq
	}{{f.waitsSum, &s.Waits}, {f.wakesSum, &s.Wakes}} {
		keys = keys[:0]
		for k := range m.from {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			a := m.from[k]
			if m.to == &s.Waits && a.Kind == "recv" && f.closes[a.Root+a.Path] {
				continue // close or wait for the closer
			}
			*m.to = append(*m.to, a)
		}
	}
	if !f.deferAll {
		// Held on return: on every normal return, either locked, or a
		// caller's lock this function unlocked and locked again (or never
		// unlocked on that path).
		cand := map[string]*lockInfo{}
		for _, h := range f.retHeld {
			for k, li := range h {
				cand[k] = li
			}
		}
		for k, a := range f.releases {
			if _, ok := cand[k]; !ok && len(f.retHeld) > 0 {
				cand[k] = &lockInfo{inst: k, read: a.Read, desc: a.Desc, pos: a.pos}
			}
		}
		keys = keys[:0]
		for k := range cand {
			if f.deferRel[k] {
				continue
			}
			all := true
			for r, h := range f.retHeld {
				if _, ok := h[k]; ok {
					continue
				}
				if _, rel := f.releases[k]; !rel || f.retUnl[r][k] {
					all = false
					break
				}
			}
			if all {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if a, ok := f.acqFor(cand[k]); ok && !byClass(k) {
				s.Holds = append(s.Holds, a)
			}
		}
	}
	return s
}

// acqFor expresses a lock of this function relative to its parameters,
// free variables or package variables, for its summary.
func (f *fnChecker) acqFor(li *lockInfo) (Acq, bool) {
	root, path := splitKey(li.inst)
	if byClass(li.inst) {
		root, path = "", "" // no instance (a map element, a call's result): by lock class only
	} else if !(strings.HasPrefix(root, "{p") || strings.HasPrefix(root, "{f") || strings.HasPrefix(root, "{g:") || strings.HasPrefix(root, "{F:")) {
		return Acq{}, false
	}
	a := Acq{Root: root, Path: path, Read: li.read, Desc: li.desc, pos: li.pos, Lock: li.fkey, Alias: li.alias, Once: li.once}
	if byClass(li.inst) && strings.HasPrefix(li.from, "{p") {
		a.From = li.from
	}
	if byClass(li.inst) {
		a.Back = li.back
		if strings.HasPrefix(li.src, "{p") || strings.HasPrefix(li.src, "{f") {
			a.Src = li.src
		}
	}
	if li.inner.IsValid() {
		a.pos = li.inner
	}
	if strings.HasPrefix(root, "{g:") {
		a.Class = li.class
	}
	if li.where != "" {
		a.Where = li.where
	} else {
		p := f.c.pass.Fset.Position(a.pos)
		a.Where = fmt.Sprintf("%s:%d", filepath.Base(p.Filename), p.Line)
	}
	return a, true
}

func (f *fnChecker) step(instr ssa.Instruction, s *state) {
	switch in := instr.(type) {
	case *ssa.Alloc:
		// A new variable each time round a loop: forget the old one's locks.
		key := inst(in)
		for k := range s.may {
			if strings.HasPrefix(k, key) {
				s.release(k)
			}
		}
	case *ssa.Call:
		f.curCall = in
		f.call(in.Common(), in.Pos(), s)
		f.curCall = nil
		f.noteFresh(in, s)
	case *ssa.MakeChan:
		f.noteFresh(in, s)
	case *ssa.Go:
		// A goroutine that unlocks a lock held here takes it over.
		if callee := in.Call.StaticCallee(); callee != nil {
			for _, a := range f.c.summaryOf(callee).Releases {
				if ik, _, _, ok := f.subst(in.Common(), a); ok && ik != "" {
					s.release(ik)
				}
			}
		}
	case *ssa.Defer:
		if f.final {
			f.deferred(in.Common(), in.Pos())
		}
	case *ssa.UnOp:
		if in.Op == token.ARROW {
			f.noteLifetimeWait(in.X, in.Pos(), s)
			// A buffered channel may hold a value already (a receive
			// after a delivery): only unbuffered receives surely wait.
			if f.c.unbuffered(in.X) {
				f.waitOn(in.X, "recv", in.Pos(), s)
			} else if f.final {
				f.freshWait(in.X, in.Pos(), s)
			}
			f.wakeOn(in.X, "send", in.Pos(), s)
		}
	case *ssa.Select:
		// Each case of a select may complete a sender's or a receiver's
		// operation: a wake (its waits are not modelled).
		for _, st := range in.States {
			if st.Dir == types.RecvOnly {
				f.wakeOn(st.Chan, "send", in.Pos(), s)
			} else {
				f.wakeOn(st.Chan, "recv", in.Pos(), s)
			}
		}
		if in.Blocking && f.final {
			f.selectWait(in, s)
			f.soleSend(in, s)
		}
	case *ssa.Send:
		if f.c.unbuffered(in.Chan) {
			n := len(f.pendingWaits)
			f.waitOn(in.Chan, "send", in.Pos(), s)
			f.sentAt(f.sumKey(in.Chan, "send"), inst(in.X), n)
		}
		f.wakeOn(in.Chan, "recv", in.Pos(), s)
	case *ssa.Return:
		// The recover block's return (after a recovered panic) is not a
		// normal return.
		if f.final && in.Block() != f.fn.Recover {
			f.retHeld = append(f.retHeld, maps.Clone(s.held))
			f.retUnl = append(f.retUnl, maps.Clone(s.unl))
			f.retMay = append(f.retMay, maps.Clone(s.may))
			f.retAt = append(f.retAt, in)
			f.returns++
			if f.returns == 1 {
				f.holds = map[string]*lockInfo{}
				for k, v := range s.held {
					f.holds[k] = v
				}
				f.acqAtReturn = map[string]*lockInfo{}
				for k, v := range s.acq {
					f.acqAtReturn[k] = v
				}
			} else {
				for k := range f.holds {
					if _, ok := s.held[k]; !ok {
						delete(f.holds, k)
					}
				}
				for k := range f.acqAtReturn {
					if _, ok := s.acq[k]; !ok {
						delete(f.acqAtReturn, k)
					}
				}
			}
		}
	}
}

func (f *fnChecker) deferred(call *ssa.CallCommon, pos token.Pos) {
	if call.IsInvoke() {
		if m := call.Method.Name(); m == "Unlock" || m == "RUnlock" {
			if key := lockerKey(call.Value); key != "" {
				f.deferRel[key] = true
				f.deferRelAt[key] = append(f.deferRelAt[key], f.block)
			} else {
				f.deferAll = true
			}
		}
		return
	}
	callee := call.StaticCallee()
	if callee == nil {
		if b, ok := call.Value.(*ssa.Builtin); ok && b.Name() == "close" && len(call.Args) == 1 {
			// Named as a close that is not deferred is (chanKeys): also
			// a channel taken out of a registry (defer close(s.done[i])).
			if cls, fk := f.chanKeys(call.Args[0], "recv"); cls != "" {
				f.deferWakes = append(f.deferWakes, &wakeOp{class: cls, kind: "recv", pos: pos, fkey: fk})
			}
		}
		return
	}
	name := funcName(callee)
	if unlockFuncs[name] {
		if key := lockKey(call.Args[0]); key != "" {
			f.deferRel[key] = true
			f.deferRelAt[key] = append(f.deferRelAt[key], f.block)
		} else {
			f.deferAll = true
		}
		return
	}
	if kind := wakeKind(name); kind != "" {
		if cls := f.c.k.class(call.Args[0]); cls != "" {
			f.deferWakes = append(f.deferWakes, &wakeOp{class: cls, kind: kind, pos: pos, fkey: fieldKey(call.Args[0]), ik: inst(call.Args[0])})
		}
		return
	}
	sum := f.c.summaryOf(callee)
	for _, a := range sum.Releases {
		if key, _, _, ok := f.subst(call, a); ok && key != "" {
			f.deferRel[key] = true
			f.deferRelAt[key] = append(f.deferRelAt[key], f.block)
		} else {
			f.deferAll = true
		}
	}
	f.deferredCalleeWakes(call, callee, sum, pos)
}

func wakeKind(name string) string {
	switch name {
	case "(*sync.WaitGroup).Done":
		return "wg"
	case "(*sync.WaitGroup).Go":
		// Done runs in the new goroutine, holding none of this one's
		// locks: the Wait has a waker that needs nothing.
		return "wg-go"
	case "(*sync.Cond).Signal", "(*sync.Cond).Broadcast":
		return "cond"
	}
	return ""
}

// subst maps a callee's summary lock to this function's instance and class
// keys at a call site.
func (f *fnChecker) subst(call *ssa.CallCommon, a Acq) (instKey, class, descr string, ok bool) {
	var root ssa.Value
	switch {
	case strings.HasPrefix(a.Root, "{F:"):
		return a.Root, a.Root, a.Desc, true // a reply channel, by the field it is kept in (reply.go)
	case strings.HasPrefix(a.Root, "{g:"):
		return a.Root + a.Path, a.Root + a.Path, strings.TrimSuffix(a.Root[strings.LastIndexByte(a.Root, '.')+1:], "}") + descPath(a.Path), true
	case strings.HasPrefix(a.Root, "{p"):
		var i int
		fmt.Sscanf(a.Root, "{p%d}", &i)
		if i < len(call.Args) {
			root = call.Args[i]
		}
	case strings.HasPrefix(a.Root, "{f"):
		var i int
		fmt.Sscanf(a.Root, "{f%d}", &i)
		if mc, ok := call.Value.(*ssa.MakeClosure); ok && i < len(mc.Bindings) {
			root = mc.Bindings[i]
		}
	}
	if root == nil {
		return "", "", "", false
	}
	path := a.Path
	root, path = substOwner(root, path)
	root, path, _ = f.c.resolveBack(root, path, recvType(call, a.Root))
	root, path = f.c.throughHandle(root, path)
	root, path = throughLiteral(root, path)
	ik := inst(root)
	if ik != "" {
		ik = f.c.dropSelfLinks(norm(ik + path))
	}
	ck := f.c.k.class(root)
	if ck != "" {
		ck = norm(ck + path)
	}
	return ik, ck, desc(root) + descPath(path), ik != "" || ck != ""
}

func (f *fnChecker) call(call *ssa.CallCommon, pos token.Pos, s *state) {
	if call.IsInvoke() {
		switch call.Method.Name() {
		case "Unlock", "RUnlock":
			if key := lockerKey(call.Value); key != "" {
				s.unlock(key)
			} else {
				f.lockerUnlock(call.Value, s)
			}
			return
		case "Lock", "RLock":
			if lockerKey(call.Value) == "" {
				f.lockerLock(call.Value, s)
			}
			return
		}
		f.indirectCall(call, pos, s)
		return
	}
	callee := call.StaticCallee()
	if callee == nil {
		f.noteParamCall(call.Value, call.Args, s, nil)
		if f.onceCall(call, pos, s) {
			return
		}
		f.indirectCall(call, pos, s)
		if b, ok := call.Value.(*ssa.Builtin); ok && b.Name() == "close" && len(call.Args) == 1 {
			if f.final {
				if ik := inst(call.Args[0]); ik != "" {
					f.closes[ik] = true
				}
			}
			f.wakeOn(call.Args[0], "recv", pos, s)
			if ik := inst(call.Args[0]); ik != "" && f.final {
				if a, ok := f.wakesSum[ik+"|recv"]; ok {
					a.Close = true
					f.wakesSum[ik+"|recv"] = a
				}
			}
		}
		return
	}
	name := funcName(callee)
	if read, ok := lockFuncs[name]; ok {
		fkey, alias := f.c.lockField(call.Args[0])
		if r := mutexRoot(call.Args[0]); r != nil {
			f.noteMapElemLock(r, fkey, desc(call.Args[0]), read, pos, s)
		}
		obj, objPath := valueObj(call.Args[0])
		li := &lockInfo{
			obj:     obj,
			objPath: objPath,
			inst:    lockKey(call.Args[0]),
			class:   f.c.k.class(call.Args[0]),
			fkey:    fkey,
			alias:   alias,
			read:    read,
			pos:     pos,
			desc:    desc(call.Args[0]),
			flagged: flagGuarded(f.block),
		}
		if byClass(li.inst) && obj != nil && fkey != "" && objPath == fkey[strings.LastIndexByte(fkey, '.'):] {
			li.src = elemSourceDeep(obj)
		}
		f.noteEntryAcq(li) // a Lock of its own, whatever the guards (recursion.go)
		f.acquire(s, li, true)
		return
	}
	if unlockFuncs[name] {
		key := lockKey(call.Args[0])
		if key == "" {
			return
		}
		if !s.unlock(key) && f.final {
			fk, _ := f.c.lockField(call.Args[0])
			f.c.noteRelease(fk, key)
			if byClass(key) {
				return
			}
			if a, ok := f.acqFor(&lockInfo{inst: key, class: f.c.k.class(call.Args[0]), fkey: fk, pos: pos, desc: desc(call.Args[0])}); ok {
				f.releases[key] = a
			}
		}
		return
	}
	switch name {
	case "(*sync.WaitGroup).Wait":
		f.waitOn(call.Args[0], "wg", pos, s)
		return
	case "(*sync.Cond).Wait":
		f.waitOn(call.Args[0], "cond", pos, s)
		f.condRetake(call.Args[0], s)
		return
	}
	if kind := wakeKind(name); kind != "" {
		if kind == "wg-go" && f.wgGo(call, pos) {
			return
		}
		if kind == "cond" {
			f.noteSignal(call.Args[0], pos, s)
			f.signalled(call.Args[0], s)
		}
		f.wakeOn(call.Args[0], kind, pos, s)
		return
	}
	if name == "(*sync.Once).Do" {
		f.onceDo(call, pos, s)
		return
	}
	if formats(callee) && len(call.Args) > 0 {
		// Its own ...any parameter formatted here: the operands its
		// callers pass have their String or Error called with the locks
		// held now (paramcall.go).
		f.noteParamCall(call.Args[len(call.Args)-1], nil, s, nil)
	}
	f.indirectCall(call, pos, s)
	if strings.HasPrefix(name, "(*sync.") || strings.HasPrefix(name, "sync.") {
		return
	}
	f.noteCallGate(callee, s)
	sum := f.c.summaryOf(callee)
	f.applyCallbacks(call, callee, sum, pos, s)
	f.applyParamCalls(call, callee, sum, pos, s)
	f.applyGoWakes(call, sum, pos)
	// What this path acquired before the call: the callee's wakes happen
	// after these, and after only the callee's own Needs.
	pre := maps.Clone(s.acq)
	calleeName := callee.Name()
	if callee.Parent() != nil {
		calleeName = "the function literal"
	} else if recv := callee.Signature.Recv(); recv != nil && len(call.Args) > 0 && !isUnknown(call.Args[0]) && !isOwnerVal(call.Args[0]) {
		calleeName = desc(call.Args[0]) + "." + callee.Name()
	}
	if site := f.viaSite; site != nil && f.indirect > 0 {
		ctor := "a constructor"
		if sc := site.Call.StaticCallee(); sc != nil {
			ctor = sc.Name()
		}
		calleeName = fmt.Sprintf("%s (the callback passed to %s at %s)", calleeName, ctor, f.c.at(site.Pos(), pos))
	} else if ff := f.viaFactory; ff != nil && f.indirect > 0 {
		calleeName = fmt.Sprintf("%s (made by %s for the object whose callback it is)", calleeName, ff.Name())
	} else if fa := f.viaSelf; fa != nil && f.indirect > 0 {
		calleeName = fmt.Sprintf("%s (bound to %s, which the package stores in its field %s)", calleeName, desc(fa.X), fieldName(fa.X.Type(), fa.Field))
	} else if f.viaParam != nil && f.indirect > 0 && f.viaFree {
		calleeName = fmt.Sprintf("%s (captured by the function literal %s, which calls it holding its locks)", calleeName, f.viaParam.Name())
	} else if f.viaParam != nil && f.indirect > 0 {
		calleeName = fmt.Sprintf("%s (passed to %s, which calls it holding its locks)", calleeName, f.viaParam.Name())
	}
	acquired := map[string]bool{}
	for _, a := range sum.Acquires {
		possible, known := f.guardHolds(call, a.Guard)
		if !possible {
			continue
		}
		ik, ck, d, ok := f.subst(call, a)
		back := ""
		from := ""
		src := ""
		if a.Root == "" {
			src = substSrc(call, a.Src)
		} else if strings.HasPrefix(a.Root, "{p") && a.Lock != "" && a.Path == a.Lock[strings.LastIndexByte(a.Lock, '.'):] {
			if v := argOf(call, a.Root); v != nil {
				src = elemSourceDeep(v)
			}
		}
		if !ok && a.Lock != "" && (a.Root == "" || f.indirect > 0 || f.elemArg(call, a.Root)) {
			// Known by its lock class only (a lock of a receiver that
			// a dynamic call's target gets from a slice or a map).
			ok, ik, d = true, "class:"+a.Lock, a.Desc // known by its lock class only
			back = backStep(callee, a)
			if f.indirect == 0 {
				if a.Root == "" {
					from = substFrom(call, a.From)
				} else if a.Path == a.Lock[strings.LastIndexByte(a.Lock, '.'):] {
					from = f.elemFrom(call, a.Root)
				}
			}
		}
		if ok && ik == "" && a.Lock != "" && f.indirect == 0 && strings.HasPrefix(a.Root, "{p") && a.Path == a.Lock[strings.LastIndexByte(a.Lock, '.'):] {
			// An element's own mutex: by class, with the container it
			// was read from when that is known (mutual.go).
			if from = f.elemFrom(call, a.Root); from != "" || src != "" {
				ik = "class:" + a.Lock
			}
		}
		if !ok {
			// A call's result or a phi: no instance and no class
			// ordering, but the same value locked by the caller is the
			// same mutex (samevalue.go).
			if obj, p := calleeObj(call, a); obj != nil && a.Lock != "" && f.indirect == 0 {
				li := &lockInfo{inst: "class:" + a.Lock, fkey: a.Lock, read: a.Read, pos: pos, desc: a.Desc, via: calleeName, maybe: !known || f.maybeCall, obj: obj, objPath: p, inner: a.pos, where: a.Where}
				if f.final {
					f.sameValueDouble(s, li)
				}
			}
			continue
		}
		li := &lockInfo{inst: ik, class: ck, fkey: a.Lock, alias: a.Alias, read: a.Read, pos: pos, desc: d, via: calleeName, maybe: !known || f.maybeCall, drops: f.dropsOf(call, a.Drops), once: a.Once, from: from, back: back, several: known && f.maybeCall}
		if byClass(ik) {
			li.src = src
		}
		if byClass(ik) && f.indirect == 0 {
			li.obj, li.objPath = calleeObj(call, a)
		}
		if field, ok := ownerStep(a.Path); ok && !strings.Contains(ik, "<") {
			li.via += fmt.Sprintf("'s stored callback, which locks the object holding it in %s", field)
		} else if a.Root == "{p0}" && len(call.Args) > 0 {
			if _, _, bo := f.c.resolveBack(call.Args[0], a.Path, recvType(call, a.Root)); bo != nil {
				bf := strings.SplitN(strings.TrimPrefix(a.Path, "."), "^", 2)[0]
				if bo.mutual != "" {
					li.via += fmt.Sprintf(" through its back-pointer %s to the owner of %s (the fields %s point the two types at each other and the package sets %s nowhere else)", bf, bo.container, bo.mutual, bf)
				} else {
					li.via += fmt.Sprintf(" through its back-pointer %s to the owner of %s", bf, bo.container)
				}
			}
		}
		acquired[ik] = true
		if a.pos.IsValid() {
			li.inner = a.pos
		} else {
			li.where = a.Where
		}
		f.acquire(s, li, false)
	}
	f.applyReacquires(call, sum, pos, calleeName, s)
	for _, a := range sum.Releases {
		if possible, _ := f.guardHolds(call, a.Guard); !possible || f.maybeCall {
			continue
		}
		ik, _, _, ok := f.subst(call, a)
		if (!ok || ik == "") && a.Lock != "" {
			f.releaseByClass(a, s) // a lock a dynamic call left held by class (heldclass.go)
			continue
		}
		if ok && ik != "" {
			if !s.unlock(ik) && f.final {
				f.c.noteRelease(a.Lock, ik)
				if r, ok := f.acqFor(&lockInfo{inst: ik, fkey: a.Lock, pos: pos, desc: a.Desc}); ok {
					f.releases[ik] = r
				}
			}
		}
	}
	// Locks the callee leaves held: those it acquired were ordered above;
	// those it gave back (unlocked and locked again) are acquired here. The
	// callee's locks are not ordered among themselves by this.
	var holds []*lockInfo
	holdSet := map[string]bool{}
	for _, a := range sum.Holds {
		if possible, known := f.guardHolds(call, a.Guard); !possible || !known || f.maybeCall {
			continue
		}
		ik, ck, d, ok := f.subst(call, a)
		if !ok && f.indirect > 0 && a.Lock != "" && f.holdByClass(a) {
			ok, ik, ck, d = true, "class:"+a.Lock, "", a.Desc // what a dynamic call's target captured elsewhere (heldclass.go)
		}
		if !ok || ik == "" {
			if a.Lock != "" && f.elemArg(call, a.Root) {
				var i int
				fmt.Sscanf(a.Root, "{p%d}", &i)
				f.noteMapElemLock(call.Args[i], a.Lock, desc(call.Args[i])+descPath(a.Path)+" (inside "+calleeName+")", a.Read, pos, s)
			}
			continue
		}
		li := &lockInfo{inst: ik, class: ck, fkey: a.Lock, alias: a.Alias, read: a.Read, pos: pos, desc: d, drops: holdSet}
		if len(sum.Results) > 0 && f.indirect == 0 && f.curCall != nil && f.curCall.Common() == call {
			li.handle = f.curCall
		}
		holds = append(holds, li)
		holdSet[ik] = true
	}
	for _, li := range holds {
		if _, held := s.held[li.inst]; held {
			continue
		}
		if acquired[li.inst] {
			clear(s.sig)
			delete(s.cw, li.inst)
			s.held[li.inst] = li
			s.may[li.inst] = li
			delete(s.unl, li.inst)
			delete(s.drop, li.inst)
			if _, ok := s.acq[li.class]; !ok && li.class != "" {
				s.acq[li.class] = li
			}
		} else {
			f.acquire(s, li, true)
		}
	}
	if f.final {
		for _, a := range sum.Waits {
			if possible, known := f.guardHolds(call, a.Guard); !possible || !known || f.maybeCall {
				continue
			}
			ik, ck, d, ok := f.subst(call, a)
			if f.indirect == 0 {
				if eck, ed, eok := f.elemClass(call, a); eok {
					ck, d, ok = eck, ed, true
				}
			}
			if ok && ck != "" {
				via := fmt.Sprintf(" inside %s (%s)", calleeName, a.Where)
				if a.pos.IsValid() {
					via = fmt.Sprintf(" inside %s (%s)", calleeName, f.c.at(a.pos, pos))
				}
				sik, fk := "", ""
				if a.Sent != "" {
					// The value the callee sends, and the channel field it
					// sends on, which meets the receives from that field
					// wherever they are (sentwait.go).
					r, p := splitKey(a.Sent)
					sik, _, _, _ = f.subst(call, Acq{Root: r, Path: p})
					ch := a
					ch.Path = strings.TrimSuffix(a.Path, "^")
					fk = paramFieldKey(callee, ch)
				}
				if fk == "" {
					fk = calleeChanField(callee, a) // neverwoken.go
				}
				record := func() {
					if a.Kind == "wg" {
						// A WaitGroup field of the callee's object meets
						// the Done calls on that field wherever they are
						// (s.stack.Close() waiting on the stack's wg), also
						// when the callee only wraps the call that waits
						// (wgvia.go).
						fk = wgWaitField(callee, a)
					}
					if ik != "" {
						if r, ok := f.acqFor(&lockInfo{inst: ik, class: ck, pos: pos, desc: d}); ok {
							r.Kind = a.Kind
							r.Drops = f.dropKeys(s, f.dropsOf(call, a.Drops))
							if a.Kind == "wg" {
								r.Field = fk
							}
							f.waitsSum[ik+"|"+a.Kind] = r
						}
					}
					if a.Kind != "cond" { // a Cond's L is unknown through a call
						f.addWait(s, ik, ck, a.Kind, d, fk, via, pos, f.dropsOf(call, a.Drops), callee)
					}
				}
				switch {
				case a.Until:
					// A select's send that only a shutdown ends counts
					// for the sent value's lock alone.
					if sik != "" && fk != "" {
						f.untilWait(ik, sik, record)
					}
				default:
					n := len(f.pendingWaits)
					record()
					if sik != "" && fk != "" {
						f.sentAt(ik, sik, n)
					}
				}
			}
		}
		for _, a := range sum.Wakes {
			if possible, _ := f.guardHolds(call, a.Guard); !possible {
				continue
			}
			if ik, ck, d, ok := f.subst(call, a); ok && ck != "" {
				if a.Close && ik != "" {
					f.closes[ik] = true
				}
				var needs []*lockInfo
				for _, n := range a.Needs {
					if nik, nck, nd, ok := f.subst(call, n); ok && nck != "" {
						li := &lockInfo{inst: nik, class: nck, pos: pos, desc: nd, via: calleeName}
						if a.Field != "" {
							li.fkey = n.Lock // chanalias.go
						}
						needs = append(needs, li)
					}
				}
				if ik != "" {
					if r, ok := f.acqFor(&lockInfo{inst: ik, class: ck, pos: pos, desc: d}); ok {
						r.Kind = a.Kind
						r.Needs = f.needsOf(pre, needs)
						r.Close = a.Close
						f.wakesSum[ik+"|"+a.Kind] = r
					}
				}
				if wk := f.addWakeAt(pre, ck, a.Field, a.Kind, pos, needs, callee); wk != nil {
					wk.ik = ik
				}
			}
		}
	}
}

// indirectCall applies the functions a dynamic call (or a standard
// function's callback) may run, as static calls at pos (see indirect.go).
func (f *fnChecker) indirectCall(call *ssa.CallCommon, pos token.Pos, s *state) {
	if f.indirect > 2 {
		return
	}
	f.noteCallbackUse(call, s)
	savedSite, savedSelf, savedFactory := f.viaSite, f.viaSelf, f.viaFactory
	f.viaSite, f.viaSelf, f.viaFactory = nil, nil, nil
	defer func() { f.viaSite, f.viaSelf, f.viaFactory = savedSite, savedSelf, savedFactory }()
	calls, maybe := f.indirectCalls(call)
	if len(calls) == 0 {
		if call.IsInvoke() {
			f.indirect++
			f.commonImplLocks(call, pos, s)
			f.indirect--
		}
		return
	}
	f.indirect++
	saved := f.maybeCall
	f.maybeCall = saved || maybe
	for _, c := range calls {
		if site, ok := f.callSite[c]; ok {
			f.viaSite = site
		}
		f.maybeCall = saved || maybe && !f.eachRun[c]
		f.call(c, pos, s)
	}
	f.maybeCall = saved
	if call.IsInvoke() && maybe {
		f.commonImplLocks(call, pos, s) // what all of them take is certain (common.go)
	}
	f.indirect--
}

// acquire records that this path blocks to acquire li; hold says whether it
// is still held afterwards (false for a lock taken and released inside a
// callee).
func (f *fnChecker) acquire(s *state, li *lockInfo, hold bool) {
	if f.final {
		if byClass(li.inst) {
			if li.from != "" && !li.maybe && li.once == "" {
				f.classDouble(s, li)
			}
			if li.back != "" && (!li.maybe || li.several) && li.once == "" {
				f.regDouble(s, li)
			}
			f.sameValueDouble(s, li)
			if a, ok := f.acqFor(li); ok {
				// The caller's locks unlocked before it, as for an
				// instance: the element may be the caller's object
				// (mutual.go), which it no longer holds then.
				a.Drops = f.dropKeys(s, li.drops)
				if old, dup := f.acquires[li.inst]; !dup {
					f.acquires[li.inst] = a
				} else {
					old.Drops = intersect(a.Drops, old.Drops)
					if old.Back == "" {
						old.Back = a.Back
					}
					if old.Src == "" {
						old.Src = a.Src
					}
					f.acquires[li.inst] = old
				}
			}
		} else if li.inst != "" {
			if h, ok := s.held[li.inst]; ok && (h.once != "") != (li.once != "") {
				// a Once and a mutex under one name: not the same lock
			} else if ok && !li.maybe && h.once != "" {
				f.found(li.pos, func(sfx string) { f.c.onceDouble(h, li, sfx) })
			} else if ok && !li.maybe && !li.drops[li.inst] && !lockerDropped(li.drops, h) {
				f.found(li.pos, func(sfx string) { f.c.doubleLock(f.fn, h, li, sfx) })
			} else if li.once != "" {
				// a Once is not held across loop iterations
			} else if h, ok := s.may[li.inst]; ok && !li.maybe && f.block != nil && ssaloop.InLoop(f.block) && !h.read && !li.read &&
				!(h.flagged && f.deferUnlocked[h.inst]) {
				// Held at the end of some iteration that comes back here
				// (unless a flag keeps a lock held to return by a defer
				// from being locked twice).
				f.found(li.pos, func(sfx string) { f.c.loopLock(f.fn, h, li, sfx) })
			} else if ok && !li.maybe && f.block != nil && ssaloop.InLoop(f.block) && h.read && li.read && !h.flagged && f.deferUnlocked[h.inst] && li.via == "" {
				// A read lock taken in a loop whose RUnlock is deferred:
				// the previous iteration's read lock is still held, a
				// recursive RLock, reported when the package write-locks
				// it (reportRLocks).
				f.c.rlocks = append(f.c.rlocks, &edge{held: h, acq: li, fn: f.fn, loop: true})
			}
			if !li.maybe && li.once == "" {
				f.classDouble(s, li)
			}
			if a, ok := f.acqFor(li); ok && li.inst != "" {
				a.Drops = f.dropKeys(s, li.drops)
				if li.maybe {
					a.Guard = "?"
				}
				if old, dup := f.acquires[li.inst]; !dup {
					f.acquires[li.inst] = a
				} else {
					m := old
					if old.Read && !li.read {
						m = a
					}
					m.Drops = intersect(a.Drops, old.Drops)
					if a.Guard == "" || old.Guard == "" {
						m.Guard = ""
					}
					f.acquires[li.inst] = m
				}
			}
		}
		for _, h := range s.held {
			if h.inst == li.inst && li.inst != "" || li.drops[h.inst] || lockerDropped(li.drops, h) || h.once != "" || li.once != "" {
				continue
			}
			if !f.unpublished(h, f.block, li.pos) {
				f.noteTreeEdge(h, li, gatesOf(s, h, li))
			}
			if h.fkey != "" && li.fkey != "" && h.fkey != li.fkey && !f.unpublished(h, f.block, li.pos) {
				f.c.addClassEdge(f.fn, h, li, gatesOf(s, h, li))
			}
			if h.class == "" || li.class == "" || h.class == li.class || !sameRoot(h, li) {
				continue
			}
			f.c.addEdge(f.fn, h, li, gatesOf(s, h, li))
		}
		if li.once == "" && f.indirect == 0 {
			f.c.noteLocker(f.fn, li.fkey, li.pos)
		}
		if !li.read && li.class != "" && li.once == "" {
			if _, ok := f.c.writers[li.class]; !ok {
				f.c.writers[li.class] = li.pos
			}
		}
		if !li.read && li.fkey != "" && li.once == "" {
			if _, ok := f.c.fwriters[li.fkey]; !ok {
				f.c.fwriters[li.fkey] = li.pos
			}
		}
		if !li.read && li.fkey != "" && li.once == "" && !f.unpublished(li, f.block, li.pos) {
			if _, ok := f.c.pwriters[li.fkey]; !ok {
				f.c.pwriters[li.fkey] = li.pos
			}
		}
	}
	if hold {
		// A lock taken after a Signal: the waiter the Signal woke may
		// hold it again by now (condhandshake.go).
		clear(s.sig)
		delete(s.cw, li.inst)
	}
	if li.class != "" && li.once == "" {
		if _, ok := s.acq[li.class]; !ok {
			s.acq[li.class] = li
		}
	} else if byClass(li.inst) && li.fkey != "" && !li.maybe && li.once == "" {
		// A lock of another function's object, certainly taken (a
		// callback every element of a container runs): a waker that
		// takes it is matched by its field (needsLock).
		if _, ok := s.acq[li.inst]; !ok {
			s.acq[li.inst] = li
		}
	}
	if hold && li.inst != "" {
		if _, ok := s.held[li.inst]; !ok {
			s.held[li.inst] = li
		}
		s.may[li.inst] = li
		delete(s.unl, li.inst)
		delete(s.drop, li.inst)
	}
}

// sameRoot reports whether an order between a and b is meaningful across
// functions: both are fields of the same root object, or each names a
// single object (a package variable or one local variable).
func sameRoot(a, b *lockInfo) bool {
	if determinate(a.class) && determinate(b.class) {
		return true
	}
	if a.inst == "" || b.inst == "" {
		return false
	}
	ra, _ := splitKey(a.inst)
	rb, _ := splitKey(b.inst)
	if ra == rb {
		return true
	}
	// A package variable and a field of a parameter: one order per
	// parameter type, still a real inversion when the other side uses it.
	return determinate(a.class) || determinate(b.class)
}

func (f *fnChecker) waitOn(v ssa.Value, kind string, pos token.Pos, s *state) {
	if !f.final {
		return
	}
	f.recordSum(f.waitsSum, v, kind, pos)
	cls, fk := f.chanKeys(v, kind)
	if ik := f.sumKey(v, kind); ik != "" {
		if a, ok := f.waitsSum[ik+"|"+kind]; ok {
			a.Drops = f.dropKeys(s, nil)
			if kind == "wg" {
				a.Field = fk // wgvia.go
			}
			f.waitsSum[ik+"|"+kind] = a
		}
	}
	if cls == "" {
		cls = elemFieldClass(v)
	}
	f.addWait(s, inst(v), cls, kind, f.chanDesc(v, kind), fk, "", pos, nil, nil)
}

// recordSum notes a wait or wake on v for the function's summary.
func (f *fnChecker) recordSum(m map[string]Acq, v ssa.Value, kind string, pos token.Pos) {
	if ik := f.sumKey(v, kind); ik != "" {
		if a, ok := f.acqFor(&lockInfo{inst: ik, class: f.c.k.class(v), pos: pos, desc: f.chanDesc(v, kind)}); ok {
			a.Kind = kind
			m[ik+"|"+kind] = a
		}
	}
}

// addWait records a wait made with the locks of s held, except those the
// waiting callee unlocked first (drops); it is kept pending until the end
// of the function, which may show it to be a close-or-wait idiom.
func (f *fnChecker) addWait(s *state, ik, cls, kind, d, fkey, via string, pos token.Pos, drops map[string]bool, callee *ssa.Function) {
	if len(s.held) == 0 || cls == "" {
		return
	}
	w := &wait{ik: ik, class: cls, kind: kind, desc: d, fkey: fkey, via: via, pos: pos, fn: f.fn, callee: callee}
	for _, h := range s.held {
		if !drops[h.inst] && !lockerDropped(drops, h) {
			w.held = append(w.held, h)
		}
	}
	if len(w.held) == 0 {
		return
	}
	w.cw = maps.Clone(s.cw)
	sort.Slice(w.held, func(i, j int) bool { return w.held[i].pos < w.held[j].pos })
	f.pendingWaits = append(f.pendingWaits, w)
}

func (f *fnChecker) wakeOn(v ssa.Value, kind string, pos token.Pos, s *state) {
	if !f.final {
		return
	}
	f.recordSum(f.wakesSum, v, kind, pos)
	cls, fk := f.chanKeys(v, kind)
	if ik := f.sumKey(v, kind); ik != "" {
		if a, ok := f.wakesSum[ik+"|"+kind]; ok {
			var loop []*lockInfo
			if (kind == "send" || kind == "recv") && fk != "" && strings.HasPrefix(cls, "{T:") && f.c.chanAlias[fk] != nil {
				// A loop on a channel another type's field also keeps
				// (chanalias.go), accounted at the calls: the field
				// and the loop's locks go with the wake.
				loop = f.loopLocks()
				a.Field = fk
			}
			a.Needs = f.needsOf(s.acq, loop)
			f.wakesSum[ik+"|"+kind] = a
		}
	}
	var loop []*lockInfo
	if (kind == "send" || kind == "recv") && (strings.HasPrefix(cls, "{T:") || strings.HasPrefix(cls, "{g:") || strings.HasPrefix(cls, "{F:")) {
		// A channel that outlives the loop (a field, a package variable):
		// the next iteration wakes the same waiter. A channel made in the
		// function may be a new one each iteration (sync's
		// TestCondSignalStealing). Not a WaitGroup: the loop may lock
		// before its own Add, when no Done is owed (nats-server's
		// TestJetStreamClusterStreamMonitorWaitGroupRace).
		loop = f.loopLocks()
	} else if kind == "wg" && fk != "" && (strings.HasPrefix(cls, "{T:") || strings.HasPrefix(cls, "{g:")) && !f.c.addsTo(f.fn, fk, 2) {
		// A Done in a function that never Adds to the group (a worker
		// whose select loop's stop case calls Done): a path to the Done
		// (another iteration, another case) may be blocked on any lock
		// taken before it, and then never gets to the Done, which the
		// Wait needs (DataDog/datadog-go#123).
		loop = f.locksBefore()
	}
	if wk := f.addWakeAt(s.acq, cls, fk, kind, pos, loop, nil); wk != nil {
		wk.sig = maps.Clone(s.sig)
		wk.ik = inst(v)
	}
	if kind == "send" || kind == "recv" {
		// A channel this function keeps in a registry also wakes whoever
		// takes it out of there (regchan.go).
		if rk := regMade(v); rk != "" && "{F:"+rk+"}" != cls {
			f.addWakeAt(s.acq, "{F:"+rk+"}", rk, kind, pos, f.loopLocks(), nil)
		}
	}
}

// loopLocks returns the locks taken anywhere in the loop around the block
// being analysed: a waker in that loop may be blocked on one of them (in
// another iteration, another select case) when the waiter needs it to go
// on (issue 14 item 5: sensu-go #1264, consul #3701).
func (f *fnChecker) loopLocks() []*lockInfo {
	b := f.block
	if b == nil || !ssaloop.InLoop(b) {
		return nil
	}
	if f.loopLk == nil {
		f.loopLk = map[*ssa.BasicBlock][]*lockInfo{}
	}
	if l, ok := f.loopLk[b]; ok {
		return l
	}
	locks := f.locksIn(func(x *ssa.BasicBlock) bool { return reaches(b, x) && reaches(x, b) })
	f.loopLk[b] = locks
	return locks
}

// locksBefore returns the locks taken in the blocks from which the block
// being analysed can be reached (itself included when it is in a loop).
func (f *fnChecker) locksBefore() []*lockInfo {
	b := f.block
	if b == nil {
		return nil
	}
	return f.locksIn(func(x *ssa.BasicBlock) bool { return reaches(x, b) })
}

// locksIn returns the locks taken, directly or (unconditionally) inside
// static callees, in the blocks of the function that keep says.
func (f *fnChecker) locksIn(keep func(*ssa.BasicBlock) bool) []*lockInfo {
	var locks []*lockInfo
	for _, x := range f.fn.Blocks {
		if !keep(x) {
			continue
		}
		for _, instr := range x.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			if call.Call.IsInvoke() {
				locks = append(locks, f.invokeLocks(call)...)
				continue
			}
			callee := call.Call.StaticCallee()
			if callee == nil {
				locks = append(locks, f.funcValueLocks(call)...)
				continue
			}
			name := funcName(callee)
			if read, ok := lockFuncs[name]; ok {
				if cls := f.c.k.class(call.Call.Args[0]); cls != "" {
					fk, alias := f.c.lockField(call.Call.Args[0])
					locks = append(locks, &lockInfo{inst: inst(call.Call.Args[0]), class: cls, fkey: fk, alias: alias, read: read, pos: call.Pos(), desc: desc(call.Call.Args[0])})
				} else if fa, ok := call.Call.Args[0].(*ssa.FieldAddr); ok {
					// The mutex of a value received from a channel field
					// (sentwait.go).
					if rc := recvLock(fa.X, "."+fieldName(fa.X.Type(), fa.Field)); rc != "" {
						locks = append(locks, &lockInfo{class: rc, read: read, pos: call.Pos(), desc: recvDesc(rc)})
					}
				}
				continue
			}
			if strings.HasPrefix(name, "(*sync.") || strings.HasPrefix(name, "sync.") || f.c.inProgress[callee] {
				continue
			}
			for _, a := range f.c.summaryOf(callee).Acquires {
				if a.Guard != "" || a.Once != "" {
					continue
				}
				if ik, ck, d, ok := f.subst(&call.Call, a); ok && ck != "" {
					locks = append(locks, &lockInfo{inst: ik, class: ck, fkey: a.Lock, read: a.Read, pos: call.Pos(), desc: d, via: callee.Name()})
				} else if v := argOf(&call.Call, a.Root); v != nil && strings.HasPrefix(a.Root, "{p") {
					// The mutex of a value received from a channel field
					// (sentwait.go).
					if rc := recvLock(v, a.Path); rc != "" {
						locks = append(locks, &lockInfo{class: rc, read: a.Read, pos: call.Pos(), desc: recvDesc(rc), via: callee.Name()})
					}
				}
			}
		}
	}
	return locks
}

// paramFieldKey returns the field key ("pkg.T.wg") of a callee's summary
// object that is a field of the struct its parameter points to ({p0}.wg),
// or "".
func paramFieldKey(callee *ssa.Function, a Acq) string {
	var i int
	if _, err := fmt.Sscanf(a.Root, "{p%d}", &i); err != nil || i < 0 || i >= len(callee.Params) {
		return ""
	}
	field, ok := strings.CutPrefix(a.Path, ".")
	if !ok || strings.ContainsAny(field, ".^<[&") {
		return ""
	}
	n := pointee(callee.Params[i].Type())
	if n == nil {
		return ""
	}
	return types.TypeString(n, nil) + "." + field
}

// funcValueLocks returns the locks taken (unconditionally) by the one
// function a call of a function value certainly runs (a callback field's,
// indirect.go), by class when the function's objects are another
// function's.
func (f *fnChecker) funcValueLocks(call *ssa.Call) []*lockInfo {
	savedSite, savedSelf, savedFactory := f.viaSite, f.viaSelf, f.viaFactory
	defer func() { f.viaSite, f.viaSelf, f.viaFactory = savedSite, savedSelf, savedFactory }()
	calls, maybe := f.indirectCalls(&call.Call)
	if maybe || len(calls) != 1 {
		return nil
	}
	callee := calls[0].StaticCallee()
	if callee == nil || f.c.inProgress[callee] {
		return nil
	}
	var locks []*lockInfo
	for _, a := range f.c.summaryOf(callee).Acquires {
		if a.Guard != "" || a.Once != "" || a.Lock == "" {
			continue
		}
		ik, ck, d, ok := f.subst(calls[0], a)
		if !ok || ck == "" {
			// Known by its lock class only: a key of its own, matched
			// by field (needsLock).
			ik, ck, d = "class:"+a.Lock, "class:"+a.Lock, a.Desc
		}
		locks = append(locks, &lockInfo{inst: ik, class: ck, fkey: a.Lock, read: a.Read, pos: call.Pos(), desc: d, via: callee.Name()})
	}
	return locks
}

// reaches reports whether block to can be reached from from (in one or
// more steps).
func reaches(from, to *ssa.BasicBlock) bool {
	seen := map[*ssa.BasicBlock]bool{}
	stack := append([]*ssa.BasicBlock(nil), from.Succs...)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x == to {
			return true
		}
		if !seen[x] {
			seen[x] = true
			stack = append(stack, x.Succs...)
		}
	}
	return false
}

// needsOf expresses the locks acquired before a wake (held, then extra) as
// the Needs of its summary, sorted.
func (f *fnChecker) needsOf(held map[string]*lockInfo, extra []*lockInfo) []Acq {
	var needs []Acq
	for _, li := range slices.Concat(slices.Collect(maps.Values(held)), extra) {
		if n, ok := f.acqFor(li); ok && li.inst != "" {
			needs = append(needs, n)
		}
	}
	sort.Slice(needs, func(i, j int) bool { return needs[i].Root+needs[i].Path < needs[j].Root+needs[j].Path })
	return needs
}

// addWakeAt records a wake of class cls after the locks of held (by
// class), and extra.
func (f *fnChecker) addWakeAt(held map[string]*lockInfo, cls, fkey, kind string, pos token.Pos, extra []*lockInfo, callee *ssa.Function) *wake {
	if cls == "" || f.c.wakesAtCaller(f.fn) {
		return nil
	}
	acq := maps.Clone(held)
	for _, li := range extra {
		if _, ok := acq[li.class]; !ok {
			acq[li.class] = li
		}
	}
	w := &wake{acq: acq, pos: pos, fn: f.fn, callee: callee, fkey: fkey}
	f.c.addWake(cls, kind, w)
	return w
}

// internal reports whether fn only runs when called from this package's
// functions, so that its wakes are accounted at its call sites (with the
// callers' locks) rather than on their own.
func (c *checker) internal(fn *ssa.Function) bool {
	if fn.Parent() != nil || fn.Object() == nil || fn.Object().Exported() && !c.hiddenMethod(fn) {
		return false
	}
	return c.calls[fn] > 0 && !c.escapes[fn]
}

func (c *checker) addWake(class, kind string, w *wake) {
	c.wakes[class+"|"+kind] = append(c.wakes[class+"|"+kind], w)
	if w.fkey != "" {
		c.fwakes[w.fkey+"|"+kind] = append(c.fwakes[w.fkey+"|"+kind], w)
	}
}

// addClassEdge records that some goroutine holds a lock of class h.fkey
// while it acquires one of class li.fkey.
func (c *checker) addClassEdge(fn *ssa.Function, h, li *lockInfo, gates map[string]bool) {
	if genericClass(h.fkey) || genericClass(li.fkey) {
		return
	}
	k := [2]string{h.fkey, li.fkey}
	e := &edge{held: h, acq: li, fn: fn, gates: gates}
	if _, ok := c.cedges[k]; !ok {
		c.cedges[k] = e
		c.cedgeOrder = append(c.cedgeOrder, k)
	}
	c.cedgeAll[k] = addGated(c.cedgeAll[k], e)
}

func (c *checker) addEdge(fn *ssa.Function, h, li *lockInfo, gates map[string]bool) {
	k := [2]string{h.class, li.class}
	e := &edge{held: h, acq: li, fn: fn, gates: gates}
	if _, ok := c.edges[k]; !ok {
		c.edges[k] = e
		c.edgeOrder = append(c.edgeOrder, k)
	}
	c.edgeAll[k] = addGated(c.edgeAll[k], e)
}

// lockKey is the instance key of a mutex, or, when it has none (a map or
// slice element, a call's result), "class:" and its lock class.
func lockKey(v ssa.Value) string {
	if k := inst(v); k != "" {
		return k
	}
	if fk := fieldKey(v); fk != "" {
		return "class:" + fk
	}
	return ""
}

// byClass reports whether key names a lock by its class only.
func byClass(key string) bool { return strings.HasPrefix(key, "class:") }

// lockerKey names the mutex behind a sync.Locker interface value when it is
// converted right there (&mu as a Locker); a Locker loaded from a field or
// a parameter could be any lock.
func lockerKey(v ssa.Value) string {
	if mi, ok := v.(*ssa.MakeInterface); ok {
		return inst(mi.X)
	}
	return ""
}
