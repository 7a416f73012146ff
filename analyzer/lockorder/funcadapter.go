package lockorder

import (
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// Function adapters (issue 14, item 2; cockroachdb/cockroach#63867).
//
// A named func type with a method that calls its receiver adapts a
// function to an interface (http.HandlerFunc, a CloserFn):
//
//	type CloserFn func()
//	func (f CloserFn) Close() { f() }
//	stopper.AddCloser(CloserFn(func() { s.VisitReplicas(...) }))
//
// and the interface's method, called on an element of a registry (the
// closers Stop runs holding its lock), runs one of the functions the
// package converts to that type. The adapter's summary says it calls its
// receiver (a ParamCall); where that receiver is not a known function,
// every function of the package converted to the adapter type (up to
// maxElemTargets) may run, with the locks held at the call, so its locks
// are ordered after them by class.

// adaptedFuncs returns the functions and closures the package converts
// to the named func type t, or nil when there are none or too many.
func (c *checker) adaptedFuncs(t types.Type) []ssa.Value {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return nil
	}
	if _, ok := n.Underlying().(*types.Signature); !ok {
		return nil
	}
	if c.adapted == nil {
		c.adapted = map[*types.TypeName][]ssa.Value{}
		for _, fn := range c.srcFuncs {
			for _, b := range fn.Blocks {
				for _, instr := range b.Instrs {
					ct, ok := instr.(*ssa.ChangeType)
					if !ok {
						continue
					}
					tn, ok := types.Unalias(ct.Type()).(*types.Named)
					if !ok {
						continue
					}
					switch ct.X.(type) {
					case *ssa.Function, *ssa.MakeClosure:
						c.adapted[tn.Obj()] = append(c.adapted[tn.Obj()], ct.X)
					}
				}
			}
		}
	}
	fs := c.adapted[n.Obj()]
	if len(fs) > maxElemTargets {
		return nil
	}
	return fs
}
