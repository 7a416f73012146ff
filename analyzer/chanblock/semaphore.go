package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// semaphores reports a token taken from a buffered channel used as a
// semaphore (every send puts a constant, every receive drops its value)
// that a path of the acquiring function never gives back: the function
// releases the token (a receive, a deferred release, or a goroutine or
// callee it hands the token to) on some paths, but another path from the
// acquire reaches an error return (a non-nil error, or any return of a
// function without results) or the acquire itself again in the next
// iteration of a loop, without releasing or handing it off. Each such
// path leaks a slot; once all are gone, every acquire blocks forever.
//
// A callee that releases or hands the token off only when it succeeds is
// followed into its error result: after "if err := s.issue(x); err != nil"
// the token is still held when the callee has a path to a non-nil error
// return that neither releases nor hands it off
// (ava-labs/icm-services#997).
//
// Channel fields are followed as a class over the package; channels made
// in the function are followed to their goroutines and callees, and only
// the loop shape is reported for them (the channel dies with a return).
func semaphores(st *state, funcs []*ssa.Function) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mc, ok := instr.(*ssa.MakeChan); ok {
					localSemaphore(st, mc)
				}
			}
		}
	}
	for _, cc := range chanuse.Fields(st.pass.Pkg, st.sealed, funcs) {
		fieldSemaphore(st, cc)
	}
	// Semaphores kept as elements of a map field (one per key: s.slots[k]),
	// followed as a class the same way (chanuse.WideMaps).
	for _, cc := range chanuse.WideMaps(st.pass.Pkg, st.sealed, funcs) {
		fieldSemaphore(st, cc)
	}
}

// sem describes one semaphore for the walk: which instructions release its
// token and which functions touch it.
type sem struct {
	name     string
	size     int
	releases map[ssa.Instruction]ssa.Value // receive instructions, with their base (nil: any)
	fields   bool                          // a field class: bases are compared
	touchFns map[*ssa.Function]bool        // functions that receive from it
	touch    map[*ssa.Function]bool        // memo: fn releases or hands off, transitively
}

// isSemaphoreOps reports whether ops look like a semaphore's: sends of
// constants, receives whose value is dropped, no close, and both kinds.
func isSemaphoreOps(ops []chanuse.Op) bool {
	sends, recvs := 0, 0
	for _, op := range ops {
		switch op.Kind {
		case chanuse.Send:
			s := op.Instr.(*ssa.Send)
			if _, ok := s.X.(*ssa.Const); !ok {
				return false
			}
			sends++
		case chanuse.Recv:
			if used(op.Instr.(*ssa.UnOp)) {
				return false
			}
			recvs++
		default:
			return false // a select, a close: not a plain semaphore
		}
	}
	return sends > 0 && recvs > 0
}

func fieldSemaphore(st *state, c *chanuse.Class) {
	if c.Escapes || c.Stored || len(c.Makes) == 0 {
		return
	}
	size := capacity(c.Makes[0])
	for _, m := range c.Makes {
		if n := capacity(m); n == 0 {
			return // unbuffered: not a semaphore
		} else if n != size {
			size = -1 // not known
		}
	}
	var ops []chanuse.Op
	for _, op := range c.Ops {
		ops = append(ops, op.Op)
	}
	if !isSemaphoreOps(ops) {
		return
	}
	name := fmt.Sprintf("field %s of %s", c.Field.Name(), ownerName(st.sealed, c.Field))
	if c.Elem {
		name = fmt.Sprintf("an element of map field %s of %s", c.Field.Name(), ownerName(st.sealed, c.Field))
	}
	s := &sem{name: name, size: size,
		releases: map[ssa.Instruction]ssa.Value{}, fields: true, touchFns: map[*ssa.Function]bool{}, touch: map[*ssa.Function]bool{}}
	for _, op := range c.Ops {
		if op.Kind == chanuse.Recv {
			s.releases[op.Instr] = op.Base
			s.touchFns[op.Instr.Parent()] = true
		}
	}
	for _, op := range c.Ops {
		if op.Kind == chanuse.Send {
			s.check(st, op.Instr, op.Base, c.Makes[0].Pos(), false)
		}
	}
}

func localSemaphore(st *state, mc *ssa.MakeChan) {
	size := capacity(mc)
	if size == 0 {
		return // unbuffered: not a semaphore
	}
	ch := st.follow(mc)
	if ch.Escapes || len(ch.Returns) > 0 {
		return
	}
	var ops []chanuse.Op
	for _, n := range ch.Nodes {
		ops = append(ops, n.Ops...)
	}
	if !isSemaphoreOps(ops) {
		return
	}
	s := &sem{name: "this channel", size: size, releases: map[ssa.Instruction]ssa.Value{},
		touchFns: map[*ssa.Function]bool{}, touch: map[*ssa.Function]bool{}}
	for _, op := range ops {
		if op.Kind == chanuse.Recv {
			s.releases[op.Instr] = nil
			s.touchFns[op.Instr.Parent()] = true
		}
	}
	for _, op := range ops {
		if op.Kind == chanuse.Send && op.Node == ch.Nodes[0] && ssaloop.InLoop(op.Instr.Block()) {
			s.check(st, op.Instr, nil, mc.Pos(), true)
		}
	}
}

// releasesHere reports whether instr releases the token taken with base.
func (s *sem) releasesHere(instr ssa.Instruction, base ssa.Value) bool {
	b, ok := s.releases[instr]
	if !ok {
		return false
	}
	return !s.fields || sameBase(b, base)
}

// touches reports whether fn releases the semaphore or starts or calls
// (transitively, in this package) a function that does.
func (s *sem) touches(fn *ssa.Function, depth int) bool {
	if fn == nil {
		return false
	}
	if v, ok := s.touch[fn]; ok {
		return v
	}
	if s.touchFns[fn] {
		s.touch[fn] = true
		return true
	}
	if depth > 3 || fn.Blocks == nil {
		return false
	}
	s.touch[fn] = false // cycles
	res := false
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			var callee *ssa.Function
			switch in := instr.(type) {
			case ssa.CallInstruction:
				callee = calleeOf(in.Common())
			case *ssa.MakeClosure:
				callee = in.Fn.(*ssa.Function)
			}
			if callee != nil && callee.Pkg == fn.Pkg && s.touches(callee, depth+1) {
				res = true
			}
		}
	}
	s.touch[fn] = res
	return res
}

// calleeOf returns the function a call runs: static, or a function
// literal.
func calleeOf(c *ssa.CallCommon) *ssa.Function {
	if mk, ok := c.Value.(*ssa.MakeClosure); ok {
		return mk.Fn.(*ssa.Function)
	}
	return c.StaticCallee()
}

// passes reports whether c hands base (the semaphore's owner, or the
// channel) to its callee: as an argument, a receiver or a closure binding.
func passes(c *ssa.CallCommon, base ssa.Value) bool {
	if base == nil {
		return true // a local channel: any call of a function that touches it
	}
	for _, a := range c.Args {
		if sameBase(a, base) {
			return true
		}
	}
	if mk, ok := c.Value.(*ssa.MakeClosure); ok {
		for _, b := range mk.Bindings {
			if sameBase(b, base) || sameBase(b, varOfBase(base)) {
				return true
			}
		}
	}
	return false
}

// varOfBase returns the variable base is a load of, or base.
func varOfBase(v ssa.Value) ssa.Value {
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		return u.X
	}
	return v
}

type walkPos struct {
	b *ssa.BasicBlock
	i int
}

// check walks from the acquire send s0 in its function.
func (s *sem) check(st *state, s0 ssa.Instruction, base ssa.Value, made token.Pos, loopOnly bool) {
	fn := s0.Parent()
	// go/ssa gives every function with a defer a Recover block: skip only
	// one whose deferred call may recover, or may give the token back
	// though deferred before the acquire (the walk from s0 sees the
	// defers after it). A deferred wg.Done does neither.
	if recovers(fn) || s.releaseDeferredBefore(s0, base) {
		return
	}
	errIdx := errorResult(fn.Signature)
	released := false       // some path releases or hands the token off
	var bad ssa.Instruction // the return, or the acquire again
	var skipped ssa.Instruction
	seen := map[*ssa.BasicBlock]bool{}
	queue := []walkPos{{s0.Block(), index(s0) + 1}}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p.i == 0 {
			if seen[p.b] {
				continue
			}
			seen[p.b] = true
		}
		stop := false
		var next []*ssa.BasicBlock
		for _, instr := range p.b.Instrs[p.i:] {
			if instr == s0 {
				if bad == nil {
					bad = instr
				}
				stop = true
				break
			}
			if s.releasesHere(instr, base) {
				released, stop = true, true
				if skipped == nil {
					skipped = instr
				}
				break
			}
			switch in := instr.(type) {
			case *ssa.Panic:
				stop = true
			case *ssa.Return:
				if !loopOnly && bad == nil && errorExit(in, errIdx, fn) {
					bad = in
				}
				stop = true
			case *ssa.Defer, *ssa.Go:
				c := in.(ssa.CallInstruction).Common()
				if callee := calleeOf(c); callee != nil && s.touches(callee, 0) && passes(c, base) {
					released, stop = true, true
				} else if _, isDefer := in.(*ssa.Defer); isDefer && mayReleaseDeferred(c, callee, fn, base) {
					stop = true // a deferred call we cannot see into may give it back
				}
			case *ssa.MakeClosure:
				if s.touches(in.Fn.(*ssa.Function), 0) && passes(&ssa.CallCommon{Value: in}, base) {
					released, stop = true, true
				}
			case *ssa.Call:
				c := in.Common()
				if chanuse.NoReturn(c) {
					stop = true
					break
				}
				callee := calleeOf(c)
				if callee == nil {
					if c.IsInvoke() && passes(c, base) || base != nil && c.Value != nil && sameBase(c.Value, base) {
						stop = true // an interface method may release it
					}
					break
				}
				if callee.Pkg != fn.Pkg || !s.touches(callee, 0) || !passes(c, base) {
					break
				}
				released = true
				// The callee releases or hands off on some path: the token
				// is still held only on its error exits that do neither.
				if succ := s.failedCall(in, callee); succ != nil {
					next = append(next, succ)
				}
				stop = true
			}
			if stop {
				break
			}
		}
		if stop {
			for _, b := range next {
				queue = append(queue, walkPos{b, 0})
			}
			continue
		}
		for _, b := range p.b.Succs {
			queue = append(queue, walkPos{b, 0})
		}
	}
	if bad == nil || !released || bad == s0 && countedLoop(s0.Block()) {
		return
	}
	fset := st.pass.Fset
	where := fmt.Sprintf("the return at line %d", fset.Position(bad.Pos()).Line)
	if bad == s0 {
		where = "this send again, in the next iteration of the loop"
	}
	at := bad.Pos()
	if !at.IsValid() {
		at = chanuse.ClosingBrace(fn)
	}
	rel := []analysis.RelatedInformation{{Pos: at, Message: "reached with the token still held"}}
	if skipped != nil {
		rel = append(rel, analysis.RelatedInformation{Pos: skipped.Pos(), Message: "the release, skipped on that path"})
	}
	size, all := "", "all its slots"
	if s.size > 0 {
		size, all = fmt.Sprintf(" of %d", s.size), fmt.Sprintf("all %d", s.size)
	}
	rel = append(rel, analysis.RelatedInformation{Pos: made, Message: "the semaphore's buffer is made here"})
	st.Report(analysis.Diagnostic{
		Pos:      s0.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("the token this send takes from %s (a semaphore%s) is not given back on the path to %s: %s releases or hands it off on other paths only, so each such path leaks a slot, and once %s are gone every acquire blocks forever",
			s.name, size, where, fn.Name(), all),
		Related: rel,
	})
}

// errorResult returns the index of sig's last result when it is an error,
// -1 when sig has results and none is a final error, and -2 when it has
// none.
func errorResult(sig *types.Signature) int {
	n := sig.Results().Len()
	if n == 0 {
		return -2
	}
	if types.Identical(sig.Results().At(n-1).Type(), types.Universe.Lookup("error").Type()) {
		return n - 1
	}
	return -1
}

// errorExit reports whether ret leaves fn failing: fn has no results (any
// return), or ret's error result is not the constant nil.
func errorExit(ret *ssa.Return, errIdx int, fn *ssa.Function) bool {
	switch {
	case errIdx == -2:
		return true
	case errIdx < 0 || errIdx >= len(ret.Results):
		return false
	}
	c, ok := ret.Results[errIdx].(*ssa.Const)
	return !ok || !c.IsNil()
}

// failedCall returns, for a call of callee that releases or hands the
// token off on some paths, the block the caller enters when the call
// fails ("if err != nil" on its error result), provided callee has a path
// to a failing return that neither releases nor hands the token off.
// Otherwise nil: the token is assumed given back.
func (s *sem) failedCall(call *ssa.Call, callee *ssa.Function) *ssa.BasicBlock {
	errIdx := errorResult(callee.Signature)
	if errIdx < 0 || !s.failsHolding(callee, errIdx) {
		return nil
	}
	var errv ssa.Value = call
	if callee.Signature.Results().Len() > 1 {
		errv = nil
		for _, r := range *call.Referrers() {
			if ex, ok := r.(*ssa.Extract); ok && ex.Index == errIdx {
				errv = ex
			}
		}
	}
	if errv == nil {
		return nil
	}
	for _, r := range *errv.Referrers() {
		bin, ok := r.(*ssa.BinOp)
		if !ok || (bin.Op != token.NEQ && bin.Op != token.EQL) || !(isNilConst(bin.X) || isNilConst(bin.Y)) {
			continue
		}
		for _, u := range *bin.Referrers() {
			if iff, ok := u.(*ssa.If); ok {
				if bin.Op == token.NEQ {
					return iff.Block().Succs[0]
				}
				return iff.Block().Succs[1]
			}
		}
	}
	return nil
}

func isNilConst(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	return ok && c.IsNil()
}

// failsHolding reports whether callee has a path from its entry to a
// return with a non-nil error that passes nothing touching the semaphore
// (a release, or a call, go statement, defer or literal of a function
// that touches it).
func (s *sem) failsHolding(callee *ssa.Function, errIdx int) bool {
	// A deferred call is seen on the walk from the entry (a release
	// stops it); only one that may recover is another way out.
	if len(callee.Blocks) == 0 || recovers(callee) {
		return false
	}
	seen := map[*ssa.BasicBlock]bool{}
	stack := []*ssa.BasicBlock{callee.Blocks[0]}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[b] {
			continue
		}
		seen[b] = true
		stop := false
		for _, instr := range b.Instrs {
			if _, ok := s.releases[instr]; ok {
				stop = true
				break
			}
			switch in := instr.(type) {
			case *ssa.Panic:
				stop = true
			case ssa.CallInstruction:
				if chanuse.NoReturn(in.Common()) {
					stop = true
				} else if c := calleeOf(in.Common()); c != nil && s.touches(c, 1) {
					stop = true
				}
			case *ssa.MakeClosure:
				if s.touches(in.Fn.(*ssa.Function), 1) {
					stop = true
				}
			case *ssa.Return:
				if errorExit(in, errIdx, callee) {
					return true
				}
			}
			if stop {
				break
			}
		}
		if !stop {
			stack = append(stack, b.Succs...)
		}
	}
	return false
}

// countedLoop reports whether a loop around b is counted against a
// constant (for i := 0; i < C; i++): a loop that fills a semaphore with a
// fixed number of tokens, to drain them later (runtime's
// BenchmarkChanUncontended), and not one that leaks a token per iteration.
func countedLoop(b *ssa.BasicBlock) bool {
	if !ssaloop.InLoop(b) {
		return false
	}
	for _, iff := range ssaloop.Tests(b) {
		if bin, ok := iff.Cond.(*ssa.BinOp); ok {
			switch bin.Op {
			case token.LSS, token.LEQ, token.GTR, token.GEQ:
				_, cx := bin.X.(*ssa.Const)
				_, cy := bin.Y.(*ssa.Const)
				if cx || cy {
					return true
				}
			}
		}
	}
	return false
}

// releaseDeferredBefore reports whether s0's function defers, before s0
// (in a block from which s0 can be reached), a call that may give the
// token back: one that touches the semaphore and is handed it, or one
// whose callee is not known.
func (s *sem) releaseDeferredBefore(s0 ssa.Instruction, base ssa.Value) bool {
	fn := s0.Parent()
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			d, ok := instr.(*ssa.Defer)
			if !ok {
				continue
			}
			if _, builtin := d.Call.Value.(*ssa.Builtin); builtin {
				continue // close, print...: no receive
			}
			callee := calleeOf(d.Common())
			if callee != nil && callee.Pkg == fn.Pkg && !s.touches(callee, 0) || !mayReleaseDeferred(d.Common(), callee, fn, base) && (callee == nil || callee.Pkg != fn.Pkg) {
				continue
			}
			if reaches(d, s0) {
				return true
			}
		}
	}
	return false
}

// mayReleaseDeferred reports whether a deferred call, whose callee (nil:
// not known) is not of fn's package, may give the token back: an unknown
// callee may, another package's function may when handed the owner of a
// field semaphore.
func mayReleaseDeferred(c *ssa.CallCommon, callee, fn *ssa.Function, base ssa.Value) bool {
	if _, builtin := c.Value.(*ssa.Builtin); builtin {
		return false
	}
	if callee == nil {
		return true
	}
	// A local channel that does not escape is not another package's to
	// receive from.
	return base != nil && callee.Pkg != fn.Pkg && passes(c, base)
}
