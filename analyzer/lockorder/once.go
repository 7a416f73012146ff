package lockorder

import (
	"fmt"
	"go/token"
	"path/filepath"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// Once functions re-entered (issue 14, item 2; AvengeMedia/
// DankMaterialShell#3361).
//
// sync.Once.Do holds the Once's internal mutex while its function runs,
// and a second Do waits for the first function to return: Do called again
// on the same Once from inside its own function (directly or through
// callees: a GetLogger whose once-function calls SetLogFile, which calls
// GetLogger) waits for itself forever. The same holds for the function
// sync.OnceFunc, OnceValue and OnceValues return, called again from the
// function it wraps. lockorder takes a Once (a variable, or a field, as a
// mutex is named) and such a wrapper stored in a package variable or a
// struct field as a lock held while the function runs, so a re-entry is a
// double lock on it; a function literal capturing the object whose field
// keeps its wrapper runs on the object the wrapper is called through, so
// a re-entry through a method of that object is seen (bufbuild/buf#2709).
// A Once orders nothing against mutexes here: it is
// kept out of order edges and of the locks a waker needs.
//
// A call cycle (GetLogger → its function → SetLogFile → GetLogger) leaves
// the inner GetLogger's summary empty while GetLogger is being analysed;
// onceSummary gives such a call the Onces the function takes directly.

// onceFuncs are the standard functions that wrap a function in a Once.
var onceFuncs = map[string]bool{
	"sync.OnceFunc":   true,
	"sync.OnceValue":  true,
	"sync.OnceValues": true,
}

// onceWrapped records the function a package variable or a struct field
// is set to a sync.OnceFunc/OnceValue/OnceValues of.
func (c *checker) noteOnceStore(st *ssa.Store) {
	call, ok := st.Val.(*ssa.Call)
	if !ok {
		return
	}
	callee := call.Call.StaticCallee()
	if callee == nil || !onceFuncs[funcName(callee)] || len(call.Call.Args) != 1 {
		return
	}
	key := onceVarKey(st.Addr)
	if key == "" {
		return
	}
	if c.onceVars == nil {
		c.onceVars = map[string][]ssa.Value{}
	}
	c.onceVars[key] = append(c.onceVars[key], call.Call.Args[0])
	if c.onceBases == nil {
		c.onceBases = map[string]ssa.Value{}
	}
	if fa, ok := st.Addr.(*ssa.FieldAddr); ok {
		c.onceBases[key] = fa.X
	}
}

// scanOnceInit notes the once wrappers the package initializer stores in
// package variables (`var getCfg = sync.OnceValue(load)`): the
// initializer is synthetic, not among the package's source functions.
func (c *checker) scanOnceInit(init *ssa.Function) {
	if init == nil {
		return
	}
	for _, b := range init.Blocks {
		for _, instr := range b.Instrs {
			if st, ok := instr.(*ssa.Store); ok {
				c.noteOnceStore(st)
			}
		}
	}
}

// onceVarKey names the variable holding a once wrapper: a package
// variable, or a struct field by its field key.
func onceVarKey(addr ssa.Value) string {
	switch a := addr.(type) {
	case *ssa.Global:
		return inst(a)
	case *ssa.FieldAddr:
		return fieldKey(a)
	}
	return ""
}

// onceCall applies a call of a once wrapper loaded from a package variable
// or a field: the wrapper's lock is held while its function runs. It
// reports whether call was one.
func (f *fnChecker) onceCall(call *ssa.CallCommon, pos token.Pos, s *state) bool {
	u, ok := call.Value.(*ssa.UnOp)
	if !ok || u.Op != token.MUL || call.IsInvoke() {
		return false
	}
	vals := f.c.onceVars[onceVarKey(u.X)]
	if len(vals) != 1 {
		return false
	}
	ik := inst(u.X)
	if ik == "" {
		return false
	}
	li := &lockInfo{inst: ik, class: f.c.k.class(u.X), fkey: fieldKey(u.X), pos: pos, desc: desc(u.X), once: "fn"}
	f.acquire(s, li, true)
	base, at := ssa.Value(unknownVal{}), ssa.Value(nil)
	if mc, ok := vals[0].(*ssa.MakeClosure); ok && mc.Parent() == f.fn {
		base = nil
	} else if fa, ok := u.X.(*ssa.FieldAddr); ok && f.c.onceBases[onceVarKey(u.X)] != nil {
		// A function literal that captures the object whose field keeps
		// its wrapper (o.f = sync.OnceValue(func() … { o.g() })): called
		// through x.f, what it captured as o is x.
		base, at = f.c.onceBases[onceVarKey(u.X)], fa.X
	}
	if c := bindCall(vals[0], call.Args, base, at); c != nil && f.indirect <= 2 {
		f.indirect++
		f.call(c, pos, s)
		f.indirect--
	}
	s.release(ik)
	return true
}

// onceDo applies o.Do(fn): o is held while fn runs.
func (f *fnChecker) onceDo(call *ssa.CallCommon, pos token.Pos, s *state) {
	key := lockKey(call.Args[0])
	if key == "" || byClass(key) {
		f.indirectCall(call, pos, s)
		return
	}
	li := &lockInfo{inst: key, class: f.c.k.class(call.Args[0]), fkey: fieldKey(call.Args[0]), pos: pos, desc: desc(call.Args[0]), once: "do"}
	f.acquire(s, li, true)
	f.indirectCall(call, pos, s)
	s.release(key)
}

// onceSummary is the summary of fn while it is being analysed (a call
// cycle): the Onces it takes directly, on its parameters or package
// variables.
func (c *checker) onceSummary(fn *ssa.Function) *Summary {
	return c.onceSummaryDepth(fn, 0)
}

// onceKey memoizes onceSummaryDepth.
type onceKey struct {
	fn    *ssa.Function
	depth int
}

// onceSummaryDepth is onceSummary, also with the Onces the package's
// static callees take directly on the arguments fn passes them (up to
// four calls deep): a function literal in a cycle that enters its Once again
// through a method of the captured object (bufbuild/buf#2709).
func (c *checker) onceSummaryDepth(fn *ssa.Function, depth int) *Summary {
	key := onceKey{fn, depth}
	if s, ok := c.onceMemo[key]; ok {
		return s
	}
	s := new(Summary)
	if c.onceMemo == nil {
		c.onceMemo = map[onceKey]*Summary{}
	}
	c.onceMemo[key] = s // a cycle below sees what is found so far
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			var v ssa.Value
			kind := "do"
			callee := call.Call.StaticCallee()
			if callee != nil && funcName(callee) == "(*sync.Once).Do" {
				v = call.Call.Args[0]
			} else if u, ok := call.Call.Value.(*ssa.UnOp); ok && u.Op == token.MUL && len(c.onceVars[onceVarKey(u.X)]) == 1 {
				v, kind = u.X, "fn"
			} else if callee != nil && depth < 4 && callee != fn && callee.Pkg != nil && callee.Pkg.Pkg == c.pass.Pkg && callee.Blocks != nil {
				for _, a := range c.onceSummaryDepth(callee, depth+1).Acquires {
					var i int
					if _, err := fmt.Sscanf(a.Root, "{p%d}", &i); err != nil || i >= len(call.Call.Args) {
						continue
					}
					root, path := splitKey(inst(call.Call.Args[i]))
					if root == "" || !(root[:2] == "{p" || root[:2] == "{g" || root[:2] == "{f") {
						continue
					}
					sub := a
					sub.Root, sub.Path = root, norm(root + path + a.Path)[len(root):]
					if root[:2] == "{g" {
						sub.Class = norm(c.k.class(call.Call.Args[i]) + a.Path)
					}
					sub.pos = call.Pos()
					s.Acquires = append(s.Acquires, sub)
				}
				continue
			}
			if v == nil {
				continue
			}
			root, path := splitKey(inst(v))
			if root == "" || !(root[:2] == "{p" || root[:2] == "{g" || root[:2] == "{f") {
				continue
			}
			p := c.pass.Fset.Position(call.Pos())
			a := Acq{Root: root, Path: path, Lock: fieldKey(v), Once: kind, Desc: desc(v), pos: call.Pos(), Where: fmt.Sprintf("%s:%d", filepath.Base(p.Filename), p.Line)}
			if root[:2] == "{g" {
				a.Class = c.k.class(v)
			}
			s.Acquires = append(s.Acquires, a)
		}
	}
	return s
}

// onceDouble reports a Once (or once wrapper) h entered again as li from
// inside its own function.
func (c *checker) onceDouble(h, li *lockInfo, when string) {
	what := h.desc + ".Do"
	if h.once == "fn" {
		what = h.desc + " (a sync.OnceFunc/OnceValue wrapper)"
	}
	if h.pos == li.pos {
		// The function called here is the one running: it calls itself
		// through the Once.
		c.report(li.pos, fmt.Sprintf("%s is called again from inside its own function%s%s: the call waits for the function to return, and the function is waiting on this call, forever",
			what, c.how(li), when), c.related(li, "called again here")...)
		return
	}
	msg := fmt.Sprintf("%s is called again%s while this goroutine is inside its function (called at line %d)%s: the second call waits for the first function to return, and that function is waiting here, forever",
		what, c.how(li), c.line(h.pos), when)
	c.report(li.pos, msg, append([]analysis.RelatedInformation{rel(h.pos, "the first call, which runs the function")}, c.related(li, "called again here")...)...)
}
