package condwait

import (
	"fmt"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"
)

// Analyzer reports sync.Cond waiters whose wake-up can be missed.
var Analyzer = &analysis.Analyzer{
	Name:     "condwait",
	Doc:      "report sync.Cond waits whose wake-up can be missed: a change that ends a Wait loop made with no Signal or Broadcast after it (a Close that never wakes the waiters), or made and signalled without the Cond's lock (the signal can fall between the waiter's test and its Wait; also any signal from a goroutine that never takes the lock), or a local Cond waited on with no predicate while a literal made before the Wait can signal first, or a wait only new data ends run by a goroutine that never returns, started by a function that stops on a signal, or a goroutine that wakes the waiters on some of its exits only, or a channel used as a condition variable whose non-blocking wakes are dropped between the waiter's Unlock and its receive",
	URL:      "https://pkg.go.dev/github.com/asyncgo/asyncgo/analyzer/condwait",
	Requires: []*analysis.Analyzer{buildssa.Analyzer},
	Run:      run,
}

// key names a Cond or a lock: a struct field (*types.Var), a package
// variable (*ssa.Global), or a Cond's L field (condL).
type key any

// condL is the L field of the Cond named by cond.
type condL struct{ cond key }

// cond is one Cond of the package and what the package does with it.
type cond struct {
	key     key
	name    string
	waits   []ssa.Instruction
	signals map[ssa.Instruction]bool // direct Signal, Broadcast (call, defer, go, method value)
	locks   map[key]bool             // its lock, by the names the package gives it
	escaped bool                     // passed on: may be signalled where we cannot see
	private bool
}

type checker struct {
	pass    *analysis.Pass
	funcs   []*ssa.Function
	conds   map[key]*cond
	writes  map[*types.Var][]*write
	callers map[*ssa.Function][]site
	addrOf  map[*ssa.Function]bool // used as a value (a callback): called where we cannot see
	sigFns  map[key]map[*ssa.Function]bool
	lockFns map[key]map[*ssa.Function]bool
	flows   map[key]*lockFlows
	seen    map[token.Pos]bool
	ctxEvs  *[]*event
}

// site is a place fn is called from (or, for a function literal, made).
type site struct {
	caller *ssa.Function
	instr  ssa.Instruction
	isGo   bool
}

func run(pass *analysis.Pass) (any, error) {
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	c := &checker{pass: pass, funcs: ssainput.SrcFuncs, conds: map[key]*cond{},
		writes: map[*types.Var][]*write{}, callers: map[*ssa.Function][]site{},
		addrOf: map[*ssa.Function]bool{}, sigFns: map[key]map[*ssa.Function]bool{},
		lockFns: map[key]map[*ssa.Function]bool{}, flows: map[key]*lockFlows{}, seen: map[token.Pos]bool{}}
	c.checkChanCond()
	if !c.waitsOnCond() {
		return nil, nil // most packages: nothing more to do
	}
	c.checkLocal()
	if !c.scan() {
		return nil, nil
	}
	c.callGraph()
	sealed := chanuse.NewSealed(pass.Pkg)
	for _, cd := range c.conds {
		if f, ok := cd.key.(*types.Var); ok {
			cd.private = sealed.Private(f)
		} else if g, ok := cd.key.(*ssa.Global); ok {
			cd.private = !g.Object().Exported()
		}
	}
	for _, fn := range c.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				c.noteLockInit(instr)
			}
		}
	}
	for _, cd := range c.conds {
		if len(cd.waits) > 0 && len(cd.signals) > 0 {
			c.check(cd)
			c.checkSignalOne(cd)
			c.checkSignalMany(cd)
			c.checkStopped(cd)
			c.checkPolledStop(cd)
			c.checkPolledPredicate(cd)
			c.checkClosedFlag(cd)
			c.checkUnlockedTest(cd)
			c.checkGoSignal(cd)
			c.checkFarewell(cd)
			c.checkRewait(cd)
		}
	}
	return nil, nil
}

// condKey names the Cond v points to.
func condKey(v ssa.Value) key {
	switch v := v.(type) {
	case *ssa.FieldAddr:
		if f := chanuse.StructFieldOf(v); f != nil && isCond(f.Type()) {
			return f
		}
	case *ssa.UnOp:
		if v.Op != token.MUL {
			return nil
		}
		switch x := v.X.(type) {
		case *ssa.FieldAddr:
			if f := chanuse.StructFieldOf(x); f != nil && isCondPtr(f.Type()) {
				return f
			}
		case *ssa.Global:
			if isCondPtr(v.Type()) {
				return x
			}
		}
	case *ssa.Global:
		if isCond(v.Type().(*types.Pointer).Elem()) {
			return v
		}
	}
	return nil
}

func isCond(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "sync" && n.Obj().Name() == "Cond"
}

func isCondPtr(t types.Type) bool {
	p, ok := t.Underlying().(*types.Pointer)
	return ok && isCond(p.Elem())
}

func (c *checker) cond(k key) *cond {
	cd := c.conds[k]
	if cd == nil {
		name := ""
		switch k := k.(type) {
		case *types.Var:
			name = k.Name()
		case *ssa.Global:
			name = k.Name()
		}
		cd = &cond{key: k, name: name, signals: map[ssa.Instruction]bool{}, locks: map[key]bool{condL{k}: true}}
		c.conds[k] = cd
	}
	return cd
}

// condMethod returns the sync.Cond method a call makes, and its Cond.
func condMethod(cc *ssa.CallCommon) (string, ssa.Value) {
	callee := cc.StaticCallee()
	if callee == nil || len(cc.Args) == 0 || callee.Signature.Recv() == nil || !isCondPtr(callee.Signature.Recv().Type()) {
		return "", nil
	}
	return callee.Name(), cc.Args[0]
}

// scan finds the package's Conds, their waits, signals and escapes, and,
// when some Cond is waited on, every field store. It reports whether any
// Cond is waited on.
func (c *checker) scan() bool {
	any := false
	for _, fn := range c.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if ci, ok := instr.(ssa.CallInstruction); ok {
					if m, recv := condMethod(ci.Common()); m != "" {
						k := condKey(recv)
						if k == nil {
							continue
						}
						switch m {
						case "Wait":
							if _, ok := instr.(*ssa.Call); ok {
								c.cond(k).waits = append(c.cond(k).waits, instr)
								any = true
							}
						case "Signal", "Broadcast":
							c.cond(k).signals[instr] = true
						}
						continue
					}
				}
				if mc, ok := instr.(*ssa.MakeClosure); ok {
					if w, ok := mc.Fn.(*ssa.Function); ok && strings.HasPrefix(w.Synthetic, "bound method wrapper") && len(mc.Bindings) == 1 {
						if k := condKey(mc.Bindings[0]); k != nil {
							if n := w.Name(); strings.HasPrefix(n, "Signal") || strings.HasPrefix(n, "Broadcast") {
								c.cond(k).signals[instr] = true
								continue
							}
						}
					}
				}
				c.noteEscape(instr)
			}
		}
	}
	if !any {
		return false
	}
	for _, fn := range c.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if w := writeOf(fn, instr); w != nil {
					c.writes[w.field] = append(c.writes[w.field], w)
				}
			}
		}
	}
	return true
}

// waitsOnCond reports whether the package calls sync.Cond's Wait at all.
func (c *checker) waitsOnCond() bool {
	for _, fn := range c.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if call, ok := instr.(*ssa.Call); ok {
					if m, _ := condMethod(&call.Call); m == "Wait" {
						return true
					}
				}
			}
		}
	}
	return false
}

// noteEscape marks a Cond used as anything but its methods' receiver, a
// field's or variable's content, or the holder of its L.
func (c *checker) noteEscape(instr ssa.Instruction) {
	switch in := instr.(type) {
	case *ssa.UnOp, *ssa.FieldAddr, *ssa.Field, *ssa.DebugRef, *ssa.Phi:
		return
	case *ssa.Store:
		if k := condKey(in.Val); k != nil {
			switch in.Addr.(type) {
			case *ssa.FieldAddr, *ssa.Global:
				return
			}
			c.cond(k).escaped = true
		}
		return
	}
	var ops [8]*ssa.Value
	for _, op := range instr.Operands(ops[:0]) {
		if op == nil || *op == nil {
			continue
		}
		if k := condKey(*op); k != nil {
			c.cond(k).escaped = true
		}
	}
}

// noteLockInit records the lock a Cond is given: sync.NewCond(l) stored
// into its field, or a store to its L.
func (c *checker) noteLockInit(instr ssa.Instruction) {
	st, ok := instr.(*ssa.Store)
	if !ok {
		return
	}
	if call, ok := st.Val.(*ssa.Call); ok {
		if callee := call.Call.StaticCallee(); callee != nil && callee.Pkg != nil &&
			callee.Pkg.Pkg.Path() == "sync" && callee.Name() == "NewCond" && len(call.Call.Args) == 1 {
			var k key
			switch a := st.Addr.(type) {
			case *ssa.FieldAddr:
				if f := chanuse.StructFieldOf(a); f != nil {
					k = f
				}
			case *ssa.Global:
				k = a
			}
			if cd := c.conds[k]; k != nil && cd != nil {
				if l := lockKey(call.Call.Args[0]); l != nil {
					cd.locks[l] = true
				}
			}
		}
		return
	}
	// c.L = l, with c a Cond field (or a Cond the function allocates
	// and stores into a field).
	fa, ok := st.Addr.(*ssa.FieldAddr)
	if !ok || !isCondPtr(fa.X.Type()) {
		return
	}
	if f := chanuse.StructField(fa.X.Type(), fa.Field, true); f == nil || f.Name() != "L" {
		return
	}
	l := lockKey(st.Val)
	if l == nil {
		return
	}
	var ks []key
	if k := condKey(fa.X); k != nil {
		ks = append(ks, k)
	}
	if a, ok := fa.X.(*ssa.Alloc); ok {
		for _, r := range *a.Referrers() {
			if s, ok := r.(*ssa.Store); ok && s.Val == a {
				if f := chanuse.StructFieldOf(s.Addr); f != nil {
					ks = append(ks, f)
				}
			}
		}
	}
	for _, k := range ks {
		if cd := c.conds[k]; cd != nil {
			cd.locks[l] = true
		}
	}
}

// lockKey names the lock v is (or points to).
func lockKey(v ssa.Value) key {
	switch v := v.(type) {
	case *ssa.MakeInterface:
		x := v.X
		// sync.NewCond(s) with s embedding the mutex: its promoted Lock.
		if p, ok := x.Type().Underlying().(*types.Pointer); ok {
			if st, ok := p.Elem().Underlying().(*types.Struct); ok && !isMutex(p.Elem()) {
				for i := 0; i < st.NumFields(); i++ {
					if f := st.Field(i); f.Embedded() && isMutex(f.Type()) {
						return f
					}
				}
			}
		}
		return lockKey(x)
	case *ssa.FieldAddr:
		if f := chanuse.StructFieldOf(v); f != nil {
			return f
		}
	case *ssa.Global:
		return v
	case *ssa.UnOp:
		if v.Op != token.MUL {
			return nil
		}
		switch x := v.X.(type) {
		case *ssa.FieldAddr:
			f := chanuse.StructFieldOf(x)
			if f == nil {
				return nil
			}
			if f.Name() == "L" && isCondPtr(x.X.Type()) {
				if k := condKey(x.X); k != nil {
					return condL{k}
				}
				return nil
			}
			return f
		case *ssa.Global:
			return x
		}
	case *ssa.Call:
		// rw.RLocker()
		if callee := v.Call.StaticCallee(); callee != nil && callee.Name() == "RLocker" && len(v.Call.Args) == 1 {
			return lockKey(v.Call.Args[0])
		}
	}
	return nil
}

func isMutex(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "sync" && (n.Obj().Name() == "Mutex" || n.Obj().Name() == "RWMutex")
}

// mutexCall returns the lock cc locks (+1: Lock or RLock) or unlocks (-1:
// Unlock or RUnlock), through an interface (a Locker, a Cond's L) or a
// sync.Mutex/RWMutex method; d is 0 for any other call.
func mutexCall(cc *ssa.CallCommon) (recv ssa.Value, d int) {
	var name string
	if cc.IsInvoke() {
		name, recv = cc.Method.Name(), cc.Value
	} else if callee := cc.StaticCallee(); callee != nil && len(cc.Args) > 0 && callee.Signature.Recv() != nil && isMutex(deref(callee.Signature.Recv().Type())) {
		name, recv = callee.Name(), cc.Args[0]
	} else {
		return nil, 0
	}
	switch name {
	case "Lock", "RLock":
		return recv, 1
	case "Unlock", "RUnlock":
		return recv, -1
	}
	return nil, 0
}

// lockOp returns +1 for a Lock (or RLock) of a lock named by one of ks,
// -1 for its Unlock, 0 otherwise.
func lockOp(cc *ssa.CallCommon, ks map[key]bool) int {
	recv, d := mutexCall(cc)
	if d == 0 {
		return 0
	}
	if k := lockKey(recv); k != nil && ks[k] {
		return d
	}
	return 0
}

func deref(t types.Type) types.Type {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

// callGraph records each function's static call sites in the package and
// the functions used as values.
func (c *checker) callGraph() {
	in := map[*ssa.Function]bool{}
	for _, fn := range c.funcs {
		in[fn] = true
	}
	for _, fn := range c.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				var ops [8]*ssa.Value
				var callee ssa.Value
				switch in := instr.(type) {
				case ssa.CallInstruction:
					if !in.Common().IsInvoke() {
						callee = in.Common().Value
					}
					if g, ok := callee.(*ssa.Function); ok {
						_, isGo := instr.(*ssa.Go)
						c.callers[g] = append(c.callers[g], site{fn, instr, isGo})
					}
				case *ssa.MakeClosure:
					g := in.Fn.(*ssa.Function)
					callee = g
					isGo := false
					for _, r := range *in.Referrers() {
						if gi, ok := r.(*ssa.Go); ok && gi.Call.Value == in {
							isGo = true
						}
					}
					c.callers[g] = append(c.callers[g], site{fn, instr, isGo})
				}
				for _, op := range instr.Operands(ops[:0]) {
					if op == nil || *op == nil || *op == callee {
						continue
					}
					if g, ok := (*op).(*ssa.Function); ok && in[g] {
						c.addrOf[g] = true
					}
				}
			}
		}
	}
}

// closure returns the functions that (through static calls, defers, go
// statements or function literals they make) do what direct marks.
func (c *checker) closure(direct func(*ssa.Function) bool) map[*ssa.Function]bool {
	set := map[*ssa.Function]bool{}
	var work []*ssa.Function
	for _, fn := range c.funcs {
		if direct(fn) {
			set[fn] = true
			work = append(work, fn)
		}
	}
	for len(work) > 0 {
		g := work[len(work)-1]
		work = work[:len(work)-1]
		for _, s := range c.callers[g] {
			if !set[s.caller] {
				set[s.caller] = true
				work = append(work, s.caller)
			}
		}
	}
	return set
}

// signallers returns the functions that signal cd, directly or through
// the package's functions.
func (c *checker) signallers(cd *cond) map[*ssa.Function]bool {
	if s, ok := c.sigFns[cd.key]; ok {
		return s
	}
	direct := map[*ssa.Function]bool{}
	for s := range cd.signals {
		direct[s.Parent()] = true
	}
	s := c.closure(func(fn *ssa.Function) bool { return direct[fn] })
	c.sigFns[cd.key] = s
	return s
}

// lockers returns the functions that take cd's lock, directly or through
// the package's functions.
func (c *checker) lockers(cd *cond) map[*ssa.Function]bool {
	if s, ok := c.lockFns[cd.key]; ok {
		return s
	}
	s := c.closure(func(fn *ssa.Function) bool {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if ci, ok := instr.(ssa.CallInstruction); ok && lockOp(ci.Common(), cd.locks) > 0 {
					return true
				}
			}
		}
		return false
	})
	c.lockFns[cd.key] = s
	return s
}

// signals reports whether instr signals cd: a Signal or Broadcast of it,
// or a call of (or a literal made of) a function that does.
func (c *checker) signals(cd *cond, instr ssa.Instruction) bool {
	if cd.signals[instr] {
		return true
	}
	sig := c.signallers(cd)
	switch in := instr.(type) {
	case ssa.CallInstruction:
		if g := in.Common().StaticCallee(); g != nil && sig[g] {
			return true
		}
	case *ssa.MakeClosure:
		return sig[in.Fn.(*ssa.Function)]
	}
	return false
}

// root reports whether fn can be called from outside the package or the
// runtime: exported, main, init.
func root(fn *ssa.Function) bool {
	if fn.Parent() != nil {
		return false
	}
	obj := fn.Object()
	if obj == nil {
		return false
	}
	return obj.Exported() || obj.Name() == "main" || strings.HasPrefix(fn.Name(), "init")
}

func (c *checker) report(pos token.Pos, msg string, related ...analysis.RelatedInformation) {
	if c.seen[pos] {
		return
	}
	c.seen[pos] = true
	c.pass.Report(analysis.Diagnostic{Pos: pos, Message: msg, Related: related})
}

// at names p for a message about something at from: "line N" in the
// same file, "file.go:N" in another.
func (c *checker) at(p, from token.Pos) string {
	pp, fp := c.pass.Fset.Position(p), c.pass.Fset.Position(from)
	if pp.Filename == fp.Filename {
		return fmt.Sprintf("line %d", pp.Line)
	}
	return fmt.Sprintf("%s:%d", filepath.Base(pp.Filename), pp.Line)
}

// fnName is fn's name for a message: the method or function name, or
// "a function literal in F".
func fnName(fn *ssa.Function) string {
	if p := fn.Parent(); p != nil {
		return "a function literal in " + fnName(p)
	}
	return fn.Name()
}
