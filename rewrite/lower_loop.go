package rewrite

// Loops that suspend: the three-clause loop and every kind of range
// expression, the range-over-func loop through coro.Pull.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
)

func (f *fn) loop(label string, body func(brk, cont string)) {
	brk, cont := f.label("Brk"), f.label("Cont")
	f.targets = append(f.targets, target{label: label, brk: brk, cont: cont})
	start := len(f.code)
	body(brk, cont)
	f.targets = f.targets[:len(f.targets)-1]
	// The code between continue's label and break's (the post statement,
	// the next index, the jump back) is unreachable when the body never
	// continues: it may be left out.
	ci, bi := -1, len(f.code)
	for i := start; i < len(f.code); i++ {
		if f.code[i] == cont+":" {
			ci = i
		} else if f.code[i] == brk+":" && ci >= 0 {
			bi = i
			break
		}
	}
	if ci >= 0 {
		for i := ci + 1; i < bi; i++ {
			f.gen[i] = true
		}
	}
}

func (f *fn) forStmt(x *ast.ForStmt, label string) {
	f.lineOf(x)
	f.init(x.Init)
	top := f.label("Top")
	f.loop(label, func(brk, cont string) {
		f.place(top)
		f.used[top] = true
		if x.Cond != nil {
			f.used[brk] = true
			f.lineOf(x.Cond) // a panic in the condition points at it
			// A suspension in the condition is a resume point inside the
			// loop, reached again at each iteration.
			f.emit("if !(%s) {\ngoto %s\n}", f.cond(x.Cond, x), brk)
		}
		f.stmt(x.Body, "")
		f.place(cont)
		// Go 1.22: each iteration has its own copy of the loop variables.
		if as, ok := x.Init.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
			for _, l := range as.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					if fd := f.hoisted[f.info.ObjectOf(id)]; fd != nil && fd.ptr {
						f.emit("{\n_agt := *_agm.%s\n_agm.%s = new(%s)\n*_agm.%s = _agt\n}", fd.name, fd.name, fd.typ, fd.name)
					}
				}
			}
		}
		if x.Post != nil && f.hasSusp[x.Post] {
			f.stmt(x.Post, "")
		} else if x.Post != nil {
			f.lineOf(x.Post)
			f.emit("%s", f.verbatim(x.Post))
		}
		f.goto_(top)
		f.place(brk)
	})
}

// assignIter assigns an iteration value to the range's key or value.
func (f *fn) assignIter(x *ast.RangeStmt, e ast.Expr, val string) {
	if e == nil {
		return
	}
	if id, ok := e.(*ast.Ident); ok && id.Name == "_" {
		return
	}
	if x.Tok == token.DEFINE {
		fd := f.hoist(f.info.Defs[e.(*ast.Ident)], true)
		if fd.ptr {
			f.emit("_agm.%s = new(%s)", fd.name, fd.typ)
		}
		f.emit("%s = %s", fd.ref(), val)
		return
	}
	f.emit("%s = %s", f.expr(e), val)
}

func (f *fn) rangeStmt(x *ast.RangeStmt, label string) {
	f.lineOf(x)
	if r, ok := f.vocab.(interface {
		lowerRange(f *fn, x *ast.RangeStmt, label string) bool
	}); ok && r.lowerRange(f, x, label) {
		return // a range whose iteration suspends, lowered by the front end
	}
	t := f.info.TypeOf(x.X)
	ts, err := f.typeString(types.Default(t))
	if err != nil {
		f.errorf(x.X.Pos(), "cannot lower this range: %v", err)
		return
	}
	under := t.Underlying()
	if p, ok := under.(*types.Pointer); ok {
		under = p.Elem().Underlying()
	}
	// The spec: with at most one iteration variable and a constant len(x)
	// (an array or a pointer to one, no call or receive in x), x is not
	// evaluated at all (a nil pointer does not panic, an array is not
	// copied).
	length := ""
	if a, ok := under.(*types.Array); ok && (x.Value == nil || isBlank(x.Value)) && !f.callsOrReceives(x.X) {
		length = fmt.Sprint(a.Len())
	}
	rv := ""
	if length == "" {
		rv = f.temp("r", ts)
		f.emit("%s = %s", rv, f.cond(x.X, x)) // evaluated once, before the loop
		length = "len(" + rv + ")"
	}
	top := f.label("Top")
	f.used[top] = true
	f.loop(label, func(brk, cont string) {
		f.used[brk] = true
		switch u := under.(type) {
		case *types.Basic:
			if u.Info()&types.IsString != 0 {
				i := f.temp("i", "int")
				w := f.temp("w", "int")
				utf8 := f.pkgName("unicode/utf8", "utf8")
				f.emit("%s = 0", i)
				f.place(top)
				f.emit("if %s >= len(%s) {\ngoto %s\n}", i, rv, brk)
				// string(...): the range may be over a named string type.
				f.emit("{\n_agc, _agw := %s.DecodeRuneInString(string(%s[%s:]))\n%s = _agw\n_ = _agc", utf8, rv, i, w)
				f.assignIter(x, x.Key, i)
				f.assignIter(x, x.Value, "_agc")
				f.emit("}")
				f.stmt(x.Body, "")
				f.place(cont)
				f.emit("%s += %s", i, w)
				f.goto_(top)
			} else {
				// range over an integer
				i := f.temp("i", ts)
				f.emit("%s = 0", i)
				f.place(top)
				f.emit("if %s >= %s {\ngoto %s\n}", i, rv, brk)
				f.assignIter(x, x.Key, i)
				f.stmt(x.Body, "")
				f.place(cont)
				f.emit("%s++", i)
				f.goto_(top)
			}
		case *types.Slice, *types.Array:
			i := f.temp("i", "int")
			f.emit("%s = 0", i)
			f.place(top)
			f.emit("if %s >= %s {\ngoto %s\n}", i, length, brk)
			f.assignIter(x, x.Key, i)
			f.assignIter(x, x.Value, fmt.Sprintf("%s[%s]", rv, i))
			f.stmt(x.Body, "")
			f.place(cont)
			f.emit("%s++", i)
			f.goto_(top)
		case *types.Map:
			kt, err := f.typeString(u.Key())
			if err != nil {
				f.errorf(x.X.Pos(), "cannot lower this range: %v", err)
				return
			}
			keys := f.temp("keys", "[]"+kt)
			i := f.temp("i", "int")
			// Deleted entries not reached yet are skipped, entries added
			// are not produced: both allowed by the spec.
			if !mayBeNaN(u.Key()) {
				f.emit("%s = %s[:0]\nfor _agk := range %s {\n%s = append(%s, _agk)\n}", keys, keys, rv, keys, keys)
				f.emit("%s = 0", i)
				f.place(top)
				f.emit("if %s >= len(%s) {\ngoto %s\n}", i, keys, brk)
				vname := "_"
				if x.Value != nil && !isBlank(x.Value) {
					vname = "_agv"
				}
				f.emit("{\n_agk := %s[%s]\n%s, _agok := %s[_agk]\nif !_agok {\n%s++\ngoto %s\n}", keys, i, vname, rv, i, top)
			} else {
				// A NaN key is an entry of its own that no lookup finds
				// and only clear removes: its value is snapshotted, and
				// it is produced if the map still holds a NaN key.
				vt, err := f.typeString(u.Elem())
				if err != nil {
					f.errorf(x.X.Pos(), "cannot lower this range: %v", err)
					return
				}
				nanv := f.temp("nanv", "[]"+vt)
				ni := f.temp("ni", "int")
				f.emit("%s, %s = %s[:0], %s[:0]\nfor _agk, _agv := range %s {\n%s = append(%s, _agk)\nif _agk != _agk {\n%s = append(%s, _agv)\n}\n}", keys, nanv, keys, nanv, rv, keys, keys, nanv, nanv)
				f.emit("%s, %s = 0, 0", i, ni)
				f.place(top)
				f.emit("if %s >= len(%s) {\ngoto %s\n}", i, keys, brk)
				f.emit("{\n_agk := %s[%s]\n_agv, _agok := %s[_agk]\nif _agk != _agk {\n_agv, _agok = %s[%s], false\n%s++\nfor _agn := range %s {\nif _agn != _agn {\n_agok = true\nbreak\n}\n}\n}\nif !_agok {\n%s++\ngoto %s\n}\n_ = _agv", keys, i, rv, nanv, ni, ni, rv, i, top)
			}
			f.assignIter(x, x.Key, "_agk")
			f.assignIter(x, x.Value, "_agv")
			f.emit("}")
			f.stmt(x.Body, "")
			f.place(cont)
			f.emit("%s++", i)
			f.goto_(top)
		case *types.Chan:
			f.place(top)
			vname := "_"
			if x.Key != nil && !isBlank(x.Key) {
				vname = "_agv"
			}
			f.emit("{\n%s, _agok := <-%s\nif !_agok {\ngoto %s\n}", vname, rv, brk)
			f.assignIter(x, x.Key, "_agv")
			f.emit("}")
			f.stmt(x.Body, "")
			f.place(cont)
			f.goto_(top)
		case *types.Signature:
			f.rangeFunc(x, u, rv, top, brk, cont)
			return
		default:
			f.errorf(x.X.Pos(), "cannot lower a range over %s", t)
		}
		f.place(brk)
	})
}

// callsOrReceives reports whether evaluating e calls a function or
// receives from a channel (conversions and builtins evaluated at compile
// time aside, as the spec's constant len rule has it).
func (f *fn) callsOrReceives(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if tv := f.info.Types[x]; tv.Value == nil && !f.info.Types[x.Fun].IsType() {
				found = true
			}
		case *ast.UnaryExpr:
			found = found || x.Op == token.ARROW
		}
		return !found
	})
	return found
}

// mayBeNaN reports whether a map key of type t may be a NaN (or hold one),
// which is unequal to itself.
func mayBeNaN(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return u.Info()&(types.IsFloat|types.IsComplex) != 0
	case *types.Interface:
		return true
	case *types.Array:
		return mayBeNaN(u.Elem())
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			if mayBeNaN(u.Field(i).Type()) {
				return true
			}
		}
	}
	return false
}

func isBlank(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "_"
}

// rangeFunc lowers a range over a function iterator that suspends in its
// body: the iterator is turned into a pull iterator, stopped when the loop
// ends or the body unwinds.
func (f *fn) rangeFunc(x *ast.RangeStmt, sig *types.Signature, rv, top, brk, cont string) {
	yield := sig.Params().At(0).Type().Underlying().(*types.Signature)
	n := yield.Params().Len()
	it := f.pkgName("iter", "iter")
	var vts []string
	for i := 0; i < n; i++ {
		s, err := f.typeString(yield.Params().At(i).Type())
		if err != nil {
			f.errorf(x.X.Pos(), "cannot lower this range: %v", err)
			return
		}
		vts = append(vts, s)
	}
	var next string
	switch n {
	case 1:
		next = f.temp("next", fmt.Sprintf("func() (%s, bool)", vts[0]))
	case 2:
		next = f.temp("next", fmt.Sprintf("func() (%s, %s, bool)", vts[0], vts[1]))
	default:
		f.errorf(x.X.Pos(), "cannot lower a range over a func(func() bool) iterator that suspends")
		return
	}
	stop := f.temp("stop", "func(any)")
	f.closes = true
	if n == 1 {
		f.emit("%s, %s = %s.Pull(%s.Seq[%s](%s))", next, stop, f.coroRef(), it, vts[0], rv)
	} else {
		f.emit("%s, %s = %s.Pull2(%s.Seq2[%s, %s](%s))", next, stop, f.coroRef(), it, vts[0], vts[1], rv)
	}
	// Jumps and returns out of the loop stop the iterator; a panic or a
	// close inside it stops it before the deferred calls run.
	f.emit("_agm._agf.Iterate(&%s)", stop)
	f.targets[len(f.targets)-1].stop = stop
	f.targets[len(f.targets)-1].node = x
	f.place(top)
	f.iteration(x, next+"()", n, top, brk, cont, stop)
}

// iteration emits the rest of a turn of a loop over an iterator, from
// its head at top: the next values from next (a call giving n values and
// ok; at the end, a jump to brk), assigned to x's key and value, the
// body, the jump back to top, and at brk the iterator's stop. The front
// ends' iterator loops (range-over-func, aio.AsCompleted) share it.
func (f *fn) iteration(x *ast.RangeStmt, next string, n int, top, brk, cont, stop string) {
	if n == 1 {
		f.emit("{\n_agv, _agok := %s\nif !_agok {\ngoto %s\n}\n_ = _agv", next, brk)
		f.assignIter(x, x.Key, "_agv")
	} else {
		f.emit("{\n_agk, _agv, _agok := %s\nif !_agok {\ngoto %s\n}\n_, _ = _agk, _agv", next, brk)
		f.assignIter(x, x.Key, "_agk")
		f.assignIter(x, x.Value, "_agv")
	}
	f.emit("}")
	f.stmt(x.Body, "")
	f.place(cont)
	f.goto_(top)
	f.place(brk)
	f.emit("%s(nil)\n%s = nil", stop, stop)
}
