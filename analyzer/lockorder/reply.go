package lockorder

import (
	"go/token"
	"go/types"
	"maps"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// Reply channels (issue 14, item 5; emitter-io/go#28).
//
// A request registers a fresh channel where its answer will be delivered
// (a field of a pending entry, a map of channels by request id), often
// through a helper that makes and returns it:
//
//	c.mu.Lock()
//	resp := <-c.store.PutCallback(id) // m.callback = make(chan R, 1); return m.callback
//	c.mu.Unlock()
//
// and the answering side finds it again by the same field and sends on it
// (m.callback <- r). Such a channel has no instance outside the function
// that holds it, so it is named by the field that holds it: its pseudo
// class "{F:pkg.T.f}" (or "{F:pkg.T.m[]}" for the elements of a map or
// slice field, "{F:pkg.T.reqs»}" for channels sent over the request
// channel in reqs and received by its loop) links the waiter to every
// send and close on that field. A channel made in a function that only
// stores it away and receives from it is such a reply channel; one also
// captured, passed or sent on keeps its own identity.
// Its buffer does not matter: made while the waiter already holds the
// lock, the channel can only have been answered by a goroutine that got
// past the lock, so when every answering goroutine needs it first, the
// receive waits forever. Methods of an unexported type that no interface
// of the package exposes (the store's NotifyResponse) run only when the
// package calls them: their sends count at their call sites, with the
// callers' locks.

// replyField names the field a channel value is kept in: its field key,
// the element key of a map or slice field it is looked up in, or the field
// a same-package function returns it from.
func (c *checker) replyField(v ssa.Value) string {
	if ct, ok := v.(*ssa.ChangeType); ok {
		v = ct.X
	}
	if fk := fieldKey(v); fk != "" {
		return fk
	}
	switch x := v.(type) {
	case *ssa.Extract:
		if l, ok := x.Tuple.(*ssa.Lookup); ok && x.Index == 0 {
			return elemKey(l.X)
		}
	case *ssa.Lookup:
		return elemKey(x.X)
	case *ssa.UnOp:
		if ia, ok := x.X.(*ssa.IndexAddr); ok && x.Op == token.MUL {
			return elemKey(ia.X)
		}
	case *ssa.Call:
		if callee := x.Call.StaticCallee(); callee != nil && callee.Pkg != nil && callee.Pkg.Pkg == c.pass.Pkg {
			fk, _ := c.returnedChan(callee)
			return fk
		}
	case *ssa.MakeChan:
		return storedField(x)
	}
	if x := received(v); x != nil {
		if k := c.replyField(x); k != "" && !strings.HasSuffix(k, "»") {
			return k + "»"
		}
	}
	return ""
}

// received returns the channel v was received from (v := <-x, v, ok :=
// <-x, range x), or nil.
func received(v ssa.Value) ssa.Value {
	if e, ok := v.(*ssa.Extract); ok && e.Index == 0 {
		v = e.Tuple
	}
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.ARROW {
		return u.X
	}
	return nil
}

// elemKey is the key of the elements of the map or slice field c is
// loaded from ("pkg.T.pending[]").
func elemKey(c ssa.Value) string {
	if _, ok := c.(*ssa.UnOp); !ok {
		return ""
	}
	if fk := fieldKey(c); fk != "" {
		return fk + "[]"
	}
	return ""
}

// storedField returns the field (or map or slice field's elements) a
// freshly made channel is stored into, if one.
func storedField(mc *ssa.MakeChan) string {
	key := ""
	for _, r := range *mc.Referrers() {
		var k string
		switch st := r.(type) {
		case *ssa.Store:
			if st.Val != mc {
				continue
			}
			if k = fieldKey(st.Addr); k == "" {
				if ia, ok := st.Addr.(*ssa.IndexAddr); ok {
					k = elemKey(ia.X)
				}
			}
		case *ssa.MapUpdate:
			if st.Value != mc {
				continue
			}
			k = elemKey(st.Map)
		case *ssa.Send:
			// Sent over a channel kept in a field: the receiver's
			// elements (a request carrying its reply channel).
			if st.X != mc {
				continue
			}
			if k = fieldKey(st.Chan); k != "" {
				k += "»"
			}
		default:
			continue
		}
		if k == "" || key != "" && key != k {
			return ""
		}
		key = k
	}
	return key
}

// returnedChan reports the field every channel fn returns is kept in, and
// whether fn makes it (a fresh channel each call).
func (c *checker) returnedChan(fn *ssa.Function) (string, bool) {
	if r, ok := c.retChans[fn]; ok {
		return r.field, r.fresh
	}
	c.retChans[fn] = retChan{}
	if fn.Signature.Results().Len() == 0 {
		return "", false
	}
	if _, ok := fn.Signature.Results().At(0).Type().Underlying().(*types.Chan); !ok {
		return "", false
	}
	field := ""
	for _, v := range returnedValues(fn) {
		if ct, ok := v.(*ssa.ChangeType); ok {
			v = ct.X
		}
		if k, ok := v.(*ssa.Const); ok && k.IsNil() {
			continue
		}
		fk := fieldKey(v)
		if mc, ok := v.(*ssa.MakeChan); ok {
			fk = storedField(mc)
		}
		if fk == "" || field != "" && fk != field {
			return "", false
		}
		field = fk
	}
	fresh := false
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if mc, ok := instr.(*ssa.MakeChan); ok && field != "" && storedField(mc) == field {
				fresh = true
			}
		}
	}
	c.retChans[fn] = retChan{field: field, fresh: fresh}
	return field, fresh
}

// sumKey names the channel (or WaitGroup, Cond) v in the function's
// summary: its instance key, or the pseudo class of the field a reply
// channel is kept in.
func (f *fnChecker) sumKey(v ssa.Value, kind string) string {
	if cls, _ := f.chanKeys(v, kind); strings.HasPrefix(cls, "{F:") {
		return cls
	}
	return inst(v)
}

// allFuncs yields the package's source functions.
func (c *checker) allFuncs() func(func(*ssa.Function) bool) {
	return func(yield func(*ssa.Function) bool) {
		for _, fn := range c.srcFuncs {
			if !yield(fn) {
				return
			}
		}
	}
}

// returnedValues returns the values fn's normal returns give as its first
// result, looking through the result variable a defer keeps in memory.
func returnedValues(fn *ssa.Function) []ssa.Value {
	var out []ssa.Value
	for _, b := range fn.Blocks {
		if b == fn.Recover {
			continue
		}
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || len(ret.Results) == 0 {
			continue
		}
		v := ret.Results[0]
		if ct, ok := v.(*ssa.ChangeType); ok {
			v = ct.X
		}
		u, ok := v.(*ssa.UnOp)
		a, isAlloc := (*ssa.Alloc)(nil), false
		if ok && u.Op == token.MUL {
			a, isAlloc = u.X.(*ssa.Alloc)
		}
		if !isAlloc || a.Heap {
			out = append(out, v)
			continue
		}
		for _, r := range *a.Referrers() {
			if st, ok := r.(*ssa.Store); ok && st.Addr == a {
				out = append(out, st.Val)
			}
		}
	}
	return out
}

type retChan struct {
	field string
	fresh bool
}

// chanKeys returns the class and field keys waits and wakes on the channel
// v are matched by: its own, or for a channel with no class, the pseudo
// class of the field it is kept in.
func (f *fnChecker) chanKeys(v ssa.Value, kind string) (cls, fk string) {
	cls, fk = f.c.k.class(v), fieldKey(v)
	if kind != "send" && kind != "recv" {
		return cls, fk
	}
	if mc, ok := v.(*ssa.MakeChan); ok && replyOnly(mc) {
		// A channel made to be answered through a field: named by it.
		if rf := storedField(mc); rf != "" {
			return "{F:" + rf + "}", rf
		}
	}
	if cls != "" {
		return cls, fk
	}
	if rf := f.c.replyField(v); rf != "" {
		return "{F:" + rf + "}", rf
	}
	if rk := regTaken(v); rk != "" {
		return "{F:" + rk + "}", rk
	}
	if call, ok := v.(*ssa.Call); ok {
		if ic, ik := f.c.invokedAccessor(call); ic != "" {
			return ic, ik // ifacegetter.go
		}
	}
	return "", fk
}

// chanDesc describes the channel v for messages: a reply channel by
// where it is kept.
func (f *fnChecker) chanDesc(v ssa.Value, kind string) string {
	d := desc(v)
	if e, ok := v.(*ssa.Extract); ok && d == "?" {
		// A key of a map field ranged over (regchan.go).
		if n, ok := e.Tuple.(*ssa.Next); ok && e.Index == 1 {
			if rg, ok := n.Iter.(*ssa.Range); ok {
				return "a key of " + desc(rg.X)
			}
		}
	}
	mc, ok := v.(*ssa.MakeChan)
	if !ok {
		return d
	}
	cls, _ := f.chanKeys(mc, kind)
	rf, ok := strings.CutPrefix(cls, "{F:")
	if !ok {
		return d
	}
	rf = strings.TrimSuffix(rf, "}")
	if i := strings.LastIndexByte(rf, '/'); i >= 0 {
		rf = rf[i+1:]
	}
	if j := strings.IndexByte(rf, '.'); j >= 0 {
		rf = rf[j+1:]
	}
	switch {
	case strings.HasSuffix(rf, "»"):
		return "the reply channel sent on " + strings.TrimSuffix(rf, "»")
	case strings.HasSuffix(rf, "[]"):
		return "the reply channel kept in " + strings.TrimSuffix(rf, "[]") + "[…]"
	}
	return "the reply channel kept in " + rf
}

// replyOnly reports whether the function that makes mc only stores it
// away (into a field, a map or slice field, or a send) and receives from
// it: whoever answers finds it through where it was stored.
func replyOnly(mc *ssa.MakeChan) bool {
	for _, r := range *mc.Referrers() {
		switch x := r.(type) {
		case *ssa.Store:
			if x.Addr == mc {
				return false
			}
		case *ssa.MapUpdate:
			if x.Map == mc || x.Key == mc {
				return false
			}
		case *ssa.Send:
			if x.Chan == mc {
				return false
			}
		case *ssa.UnOp:
			if x.Op != token.ARROW {
				return false
			}
		case *ssa.DebugRef:
		default:
			return false
		}
	}
	return true
}

// noteFresh records, at the instruction that makes a reply channel (a
// make stored into a field, or a call of a function that makes and
// returns one), the locks held then.
func (f *fnChecker) noteFresh(v ssa.Value, s *state) {
	if !f.final {
		return
	}
	switch x := v.(type) {
	case *ssa.MakeChan:
		if storedField(x) == "" {
			return
		}
	case *ssa.Call:
		callee := x.Call.StaticCallee()
		if callee == nil || callee.Pkg == nil || callee.Pkg.Pkg != f.c.pass.Pkg {
			return
		}
		if _, fresh := f.c.returnedChan(callee); !fresh {
			return
		}
	default:
		return
	}
	if f.freshAt == nil {
		f.freshAt = map[ssa.Value]map[string]bool{}
	}
	f.freshAt[v] = maps.Collect(func(yield func(string, bool) bool) {
		for k := range s.held {
			if !yield(k, true) {
				return
			}
		}
	})
}

// freshWait records a receive on a buffered reply channel made while the
// locks still held now were held: nothing could have answered it without
// getting past them.
func (f *fnChecker) freshWait(v ssa.Value, pos token.Pos, s *state) {
	if ct, ok := v.(*ssa.ChangeType); ok {
		v = ct.X
	}
	at, made := f.freshAt[v]
	if !made {
		return
	}
	if _, ok := v.(*ssa.MakeChan); ok {
		// Made here: a caller's locks were all held when it was made.
		f.recordSum(f.waitsSum, v, "recv", pos)
	}
	if len(at) == 0 {
		return
	}
	t := s.clone()
	for k := range t.held {
		if !at[k] {
			delete(t.held, k)
		}
	}
	if len(t.held) == 0 {
		return
	}
	cls, fk := f.chanKeys(v, "recv")
	if !strings.HasPrefix(cls, "{F:") {
		return
	}
	d := f.chanDesc(v, "recv")
	if call, ok := v.(*ssa.Call); ok {
		name := strings.TrimSuffix(d, "(…)")
		if callee := call.Call.StaticCallee(); callee != nil && callee.Signature.Recv() != nil && len(call.Call.Args) > 0 {
			name = desc(call.Call.Args[0]) + "." + callee.Name()
		}
		d = "the channel " + name + " returns"
	}
	f.addWait(t, "", cls, "recv", d, fk, "", pos, nil, nil)
}

// hiddenMethod reports whether fn is an exported method of an unexported
// type that no interface the package converts the type to has: only the
// package's own code calls it.
func (c *checker) hiddenMethod(fn *ssa.Function) bool {
	recv := fn.Signature.Recv()
	if recv == nil || fn.Object() == nil {
		return false
	}
	named := pointee(recv.Type())
	if named == nil {
		if n, ok := types.Unalias(recv.Type()).(*types.Named); ok {
			named = n
		}
	}
	if named == nil || named.Obj().Exported() || named.Obj().Pkg() != c.pass.Pkg {
		return false
	}
	if c.ifaceMethods == nil {
		c.ifaceMethods = c.collectIfaceMethods()
	}
	return !c.ifaceMethods[named.Obj().Name()+"."+fn.Name()] && !c.ifaceMethods[named.Obj().Name()+".*"]
}

// collectIfaceMethods lists, for each named type of the package converted
// to an interface (or reachable from exported API), the method names
// that interface exposes ("T.Name"; "T.*" when all may be).
func (c *checker) collectIfaceMethods() map[string]bool {
	out := map[string]bool{}
	note := func(t types.Type, iface types.Type) {
		n := pointee(t)
		if n == nil {
			if x, ok := types.Unalias(t).(*types.Named); ok {
				n = x
			}
		}
		if n == nil || n.Obj().Pkg() != c.pass.Pkg {
			return
		}
		it, ok := iface.Underlying().(*types.Interface)
		if !ok {
			return
		}
		if it.Empty() {
			out[n.Obj().Name()+".*"] = true // reflection, or a later type assertion
			return
		}
		for i := range it.NumMethods() {
			out[n.Obj().Name()+"."+it.Method(i).Name()] = true
		}
	}
	for fn := range c.allFuncs() {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch x := instr.(type) {
				case *ssa.MakeInterface:
					note(x.X.Type(), x.Type())
				case *ssa.ChangeInterface:
					out["*.*"] = true
				}
			}
		}
	}
	// A value of the type reachable from the package's exported API: any
	// caller may call its exported methods.
	scope := c.pass.Pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		markAPI(out, obj.Type(), c.pass.Pkg, 0)
		if tn, ok := obj.(*types.TypeName); ok {
			if n, ok := types.Unalias(tn.Type()).(*types.Named); ok {
				for i := range n.NumMethods() {
					if m := n.Method(i); m.Exported() {
						markAPI(out, m.Type(), c.pass.Pkg, 0)
					}
				}
			}
		}
	}
	if out["*.*"] {
		// A conversion between interfaces: any method may be reached.
		for _, name := range scope.Names() {
			out[name+".*"] = true
		}
	}
	return out
}

// markAPI marks the package's named types that t exposes (through
// results, exported fields, elements) as reachable by any caller.
func markAPI(out map[string]bool, t types.Type, pkg *types.Package, depth int) {
	if depth > 4 || t == nil {
		return
	}
	switch x := types.Unalias(t).(type) {
	case *types.Named:
		if x.Obj().Pkg() == pkg && !x.Obj().Exported() {
			if out[x.Obj().Name()+".*"] {
				return
			}
			out[x.Obj().Name()+".*"] = true
		}
		if x.Obj().Pkg() == pkg {
			if st, ok := x.Underlying().(*types.Struct); ok {
				for i := range st.NumFields() {
					if st.Field(i).Exported() {
						markAPI(out, st.Field(i).Type(), pkg, depth+1)
					}
				}
			}
		}
	case *types.Pointer:
		markAPI(out, x.Elem(), pkg, depth+1)
	case *types.Slice:
		markAPI(out, x.Elem(), pkg, depth+1)
	case *types.Array:
		markAPI(out, x.Elem(), pkg, depth+1)
	case *types.Map:
		markAPI(out, x.Key(), pkg, depth+1)
		markAPI(out, x.Elem(), pkg, depth+1)
	case *types.Chan:
		markAPI(out, x.Elem(), pkg, depth+1)
	case *types.Signature:
		for i := range x.Params().Len() {
			markAPI(out, x.Params().At(i).Type(), pkg, depth+1)
		}
		for i := range x.Results().Len() {
			markAPI(out, x.Results().At(i).Type(), pkg, depth+1)
		}
	case *types.Struct:
		for i := range x.NumFields() {
			if x.Field(i).Exported() {
				markAPI(out, x.Field(i).Type(), pkg, depth+1)
			}
		}
	}
}
