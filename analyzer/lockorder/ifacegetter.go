package lockorder

import (
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// A channel got from an interface method whose one implementation in
// the package is an accessor (session 25, mixvar). `<-r.WaitCh()`, with r
// a Runner interface whose only implementation is `func (r *allocRunner)
// WaitCh() <-chan struct{} { return r.waitCh }`, receives from the
// waitCh field of some allocRunner, as the static call does (getterField):
// the wait is named by that field's class and key, so it meets the close
// in allocRunner.Run. With no implementation or several, the call stays
// unnamed, as before.

// invokedAccessor returns the class and field key of the channel call,
// an interface method call, returns, when the method's one
// implementation the package declares is a channel accessor of its
// receiver; else "", "".
func (c *checker) invokedAccessor(call *ssa.Call) (cls, fk string) {
	if !call.Call.IsInvoke() {
		return "", ""
	}
	impls := c.implementations(call.Call.Method)
	if len(impls) != 1 {
		return "", ""
	}
	fn := impls[0]
	fld, i := chanuse.Accessor(fn)
	if fld == nil || i != 0 || len(fn.Params) == 0 {
		return "", ""
	}
	recv := fn.Params[0].Type()
	if p, ok := recv.Underlying().(*types.Pointer); ok {
		return norm("{T:" + types.TypeString(recv, nil) + "}." + fld.Name() + "^"), types.TypeString(p.Elem(), nil) + "." + fld.Name()
	}
	return "{T:" + types.TypeString(recv, nil) + "}." + fld.Name(), ""
}
