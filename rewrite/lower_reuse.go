package rewrite

// Reusing the machine of an awaited lowered coroutine. A lowered body
// that awaits a call of a lowered async function of its own package,
// `aio.Await(t, G(args))`, does not make G's coroutine object: it keeps
// G's machine in a field of its own and, at each await of that call,
// readies it for the call (_agReuse: as G(args) would make it) and starts
// it with aio.Awaiter.StartMachine; once the await is over, _agClear drops
// what the machine refers to. After the first await, awaiting G allocates
// nothing.
//
// This is only sound where nothing can refer to G's machine once an
// await of it is over (the next await overwrites it): G's body has no
// function literal (a closure would refer to the machine's fields, and
// so do scopes' callbacks and the iteration of range-over-func loops,
// which are left out too) and takes no address of its parameters or
// locals, explicitly or by calling a method with a pointer receiver or
// slicing an array. The runtime's resume points keep nothing of the
// machine's once their operation ended (that is already how a machine
// reuses its own fields from one await to the next). A machine keeps
// the machines it keeps for its own awaits (_agReuse and _agClear leave
// them), so that a chain of awaits allocates nothing either.

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/build/constraint"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"

	"github.com/dave/dst"
)

// declOf is the declaration of fn, a function or method of the package,
// or nil.
func (fl *fileLowerer) declOf(fn *types.Func) *ast.FuncDecl {
	if fl.funcDecls == nil {
		fl.funcDecls = map[*types.Func]*ast.FuncDecl{}
		for _, file := range fl.pkgFiles {
			for _, d := range file.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok {
					if o, ok := fl.info.Defs[fd.Name].(*types.Func); ok {
						fl.funcDecls[o] = fd
					}
				}
			}
		}
	}
	return fl.funcDecls[fn.Origin()]
}

// reusable reports whether fd is an async function whose machine can be
// kept and reused by the bodies awaiting its calls (see above).
func (fl *fileLowerer) reusable(fd *ast.FuncDecl) bool {
	if ok, seen := fl.reuse[fd]; seen {
		return ok
	}
	ok := fl.reusableDecl(fd)
	if fl.reuse == nil {
		fl.reuse = map[*ast.FuncDecl]bool{}
	}
	fl.reuse[fd] = ok
	return ok
}

func (fl *fileLowerer) reusableDecl(fd *ast.FuncDecl) bool {
	async := false
	if fd.Doc != nil {
		for _, c := range fd.Doc.List {
			async = async || strings.TrimSpace(c.Text) == AsyncAnnotation
		}
	}
	if !async || fd.Type.Params == nil {
		return false
	}
	if n := len(fd.Type.Params.List); n > 0 {
		if _, dots := fd.Type.Params.List[n-1].Type.(*ast.Ellipsis); dots {
			return false // the call's arguments would need packing
		}
	}
	lit, _ := fl.bodyForm(fd, func(e ast.Expr) bool { return fl.isPkgFunc(e, aioPath, "Async") }, 2, 1)
	if lit == nil {
		return false
	}
	// A variable of fd's (a parameter or a local) whose address is taken.
	own := func(e ast.Expr) bool {
		for {
			switch x := ast.Unparen(e).(type) {
			case *ast.Ident:
				o := fl.info.ObjectOf(x)
				return o != nil && o.Pos() >= fd.Pos() && o.Pos() < fd.End()
			case *ast.SelectorExpr:
				if _, ok := fl.info.TypeOf(x.X).Underlying().(*types.Pointer); ok {
					return false
				}
				if fl.info.Selections[x] == nil {
					return false // a qualified identifier
				}
				e = x.X
			case *ast.IndexExpr:
				if _, ok := fl.info.TypeOf(x.X).Underlying().(*types.Array); !ok {
					return false
				}
				e = x.X
			default:
				return false
			}
		}
	}
	ok := true
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			ok = false
		case *ast.RangeStmt:
			// Over a function, or a type parameter's value (maybe one).
			switch fl.info.TypeOf(x.X).Underlying().(type) {
			case *types.Signature, *types.Interface:
				ok = false
			}
		case *ast.UnaryExpr:
			if x.Op == token.AND && own(x.X) {
				ok = false
			}
		case *ast.SliceExpr:
			if _, arr := fl.info.TypeOf(x.X).Underlying().(*types.Array); arr && own(x.X) {
				ok = false
			}
		case *ast.SelectorExpr:
			if sel := fl.info.Selections[x]; sel != nil && sel.Kind() == types.MethodVal {
				if _, ptrRecv := sel.Obj().Type().(*types.Signature).Recv().Type().(*types.Pointer); ptrRecv {
					if _, isPtr := fl.info.TypeOf(x.X).Underlying().(*types.Pointer); !isPtr && own(x.X) {
						ok = false
					}
				}
			}
		}
		return ok
	})
	return ok
}

// sameBuild reports whether fd is part of every build of the package that
// the file being lowered is part of: fd is in that file, or in a file
// whose only build constraint is the rewriter's (and whose name has no
// GOOS or GOARCH suffix). A function declared once per platform may be
// reusable in one build and not in another.
func (fl *fileLowerer) sameBuild(fd *ast.FuncDecl) bool {
	if fd.Pos() >= fl.file.Pos() && fd.Pos() < fl.file.End() {
		return true
	}
	var file *ast.File
	for _, f := range fl.pkgFiles {
		if fd.Pos() >= f.Pos() && fd.Pos() < f.End() {
			file = f
		}
	}
	if file == nil {
		return false
	}
	for _, cg := range file.Comments {
		if cg.Pos() >= file.Package {
			break
		}
		for _, c := range cg.List {
			if constraint.IsGoBuild(c.Text) || constraint.IsPlusBuild(c.Text) {
				x, err := constraint.Parse(c.Text)
				if err != nil || x.String() != DirectTag {
					return false
				}
			}
		}
	}
	name := fl.fset.Position(file.Package).Filename
	ctx := build.Default
	ctx.GOOS, ctx.GOARCH = "none", "none" // any GOOS or GOARCH suffix fails to match
	ctx.BuildTags = []string{DirectTag}
	match, err := ctx.MatchFile(filepath.Dir(name), filepath.Base(name))
	return err == nil && match
}

// reuseCall tells how the lowered body awaits e, the coroutine an Await
// is passed, if it keeps e's machine: e is a call of a reusable async
// function or method of the package. It returns the machine's type and
// the arguments of its _agReuse (the receiver first, as the call's
// method value takes it).
func (f *fn) reuseCall(e ast.Expr) (mtype string, args []string, ok bool) {
	call, isCall := ast.Unparen(e).(*ast.CallExpr)
	if !isCall || call.Ellipsis.IsValid() {
		return "", nil, false
	}
	dc, isDst := f.dstOf(call).(*dst.CallExpr)
	if !isDst {
		return "", nil, false
	}
	o := f.calledFunc(call.Fun)
	if o == nil || o.Pkg() != f.pkg {
		return "", nil, false
	}
	gd := f.declOf(o)
	if gd == nil || !f.reusable(gd) || !f.sameBuild(gd) {
		return "", nil, false
	}
	var list *types.TypeList
	switch fun := call.Fun.(type) {
	case *ast.SelectorExpr:
		sel := f.info.Selections[fun]
		dfun, isSel := dc.Fun.(*dst.SelectorExpr)
		if sel == nil || sel.Kind() != types.MethodVal || len(sel.Index()) != 1 || gd.Recv == nil || !isSel {
			return "", nil, false
		}
		_, ptrRecv := gd.Recv.List[0].Type.(*ast.StarExpr)
		t := f.info.TypeOf(fun.X)
		_, isPtr := t.Underlying().(*types.Pointer)
		recv := f.exprDst(dfun.X)
		switch {
		case ptrRecv && !isPtr:
			recv = "&" + recv // x.M() of a method of *T: (&x).M()
		case !ptrRecv && isPtr:
			recv = "*" + recv // p.M() of a method of T: (*p).M()
		}
		args = append(args, recv)
		if isPtr {
			t = t.Underlying().(*types.Pointer).Elem()
		}
		if n, isNamed := types.Unalias(t).(*types.Named); isNamed {
			list = n.TypeArgs()
		}
	case *ast.Ident, *ast.IndexExpr, *ast.IndexListExpr:
		if gd.Recv != nil {
			return "", nil, false
		}
		if id := calleeIdent(ast.Unparen(funOf(call.Fun))); id != nil {
			list = f.info.Instances[id].TypeArgs
		}
	default:
		return "", nil, false
	}
	// The machine's type arguments: the receiver's, or the function's but
	// for its blank type parameters (the machine does without them).
	var targs []string
	if list.Len() > 0 {
		var blank []bool
		if gd.Recv == nil && gd.Type.TypeParams != nil {
			for _, fld := range gd.Type.TypeParams.List {
				for _, n := range fld.Names {
					blank = append(blank, n.Name == "_")
				}
			}
		}
		for i := 0; i < list.Len(); i++ {
			if i < len(blank) && blank[i] {
				continue
			}
			s, err := f.typeString(list.At(i))
			if err != nil {
				return "", nil, false
			}
			targs = append(targs, s)
		}
	}
	mtype = machineName(gd)
	if len(targs) > 0 {
		mtype += "[" + strings.Join(targs, ", ") + "]"
	}
	for _, a := range dc.Args {
		args = append(args, f.exprDst(a))
	}
	return mtype, args, true
}

// funOf strips the instantiation of a called generic function.
func funOf(e ast.Expr) ast.Expr {
	switch x := e.(type) {
	case *ast.IndexExpr:
		return x.X
	case *ast.IndexListExpr:
		return x.X
	}
	return e
}

// machineName names the machine of the annotated function d: function F's
// is _agF, method T.M's _ag<len(T)>T_M, distinct for distinct functions
// (an identifier never starts with a digit).
func machineName(d *ast.FuncDecl) string {
	if d.Recv != nil {
		rt := recvTypeName(d.Recv.List[0].Type)
		return fmt.Sprintf("%s%d%s_%s", pfx, len(rt), rt, d.Name.Name)
	}
	return pfx + d.Name.Name
}

// awaitKept lowers the start of an Await of a call whose machine the body
// keeps (see reuseCall) in the field c: the machine is made at the first
// await, readied at each and started with the Awaiter st.
func (f *fn) awaitKept(st, mtype string, args []string) string {
	c := f.temp("c", "*"+mtype)
	f.kept = append(f.kept, strings.TrimPrefix(c, "_agm."))
	f.emit("if %s == nil {\n%s = new(%s)\n}", c, c, mtype)
	f.emit("%s._agReuse(%s)", c, strings.Join(args, ", "))
	f.valueAt = len(f.code) // the start's line, as for any other await
	f.emit("%s.StartMachine(_agT, %s)", st, c)
	return c
}

// reuseMethods are the methods of a reusable machine (see above): they
// keep the machines it keeps for its own awaits.
func (f *fn) reuseMethods(mname, targs string) string {
	var params, init []string
	var fields []*ast.Field
	if f.decl.Recv != nil {
		fields = append(fields, f.decl.Recv.List...)
	}
	fields = append(fields, f.decl.Type.Params.List...)
	for _, p := range fields {
		names := p.Names
		if len(names) == 0 {
			names = []*ast.Ident{{Name: "_"}} // an unnamed receiver
		}
		for _, n := range names {
			if fd := f.hoisted[f.info.Defs[n]]; n.Name != "_" && fd != nil {
				params = append(params, fd.name+" "+fd.typ)
				init = append(init, fd.name+": "+fd.name)
				continue
			}
			// Blank: its argument is evaluated, as in the call.
			ts, err := f.typeString(f.info.TypeOf(p.Type))
			if err != nil {
				f.errorf(p.Pos(), "cannot lower: %v", err)
			}
			params = append(params, "_ "+ts)
		}
	}
	var keep []string
	for _, c := range f.kept {
		keep = append(keep, fmt.Sprintf("%s: _agm.%s", c, c))
	}
	return fmt.Sprintf("\n// _agReuse readies the machine for another await of %s by a machine\n// that keeps it: as the call makes it, but keeping the machines it keeps.\nfunc (_agm *%s%s) _agReuse(%s) {\n\t*_agm = %s%s{%s}\n}\n"+
		"\n// _agClear drops what the machine refers to once an await of it is over,\n// but the machines it keeps.\nfunc (_agm *%s%s) _agClear() {\n\t*_agm = %s%s{%s}\n}\n",
		f.decl.Name.Name, mname, targs, strings.Join(params, ", "), mname, targs, strings.Join(append(init, keep...), ", "),
		mname, targs, mname, targs, strings.Join(keep, ", "))
}
