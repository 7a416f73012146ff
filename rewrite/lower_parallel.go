package rewrite

// The executor markers (docs/parallel.md): //asyncgo:parallel on a
// function (lelo's @parallel) registers the function's body for worker
// processes and submits each call to the parallel executor; on a for
// range loop (python-parallelize) it runs the loop's work on the executor
// and the rest of its body in iteration order, through range-over-func.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"regexp"
	"strconv"
	"strings"
)

// ParallelAnnotation marks a function whose calls run on an executor, or
// a for range loop whose iterations do.
const ParallelAnnotation = "//asyncgo:parallel"

const futuresPath = "github.com/asyncgo/asyncgo/runtime/futures"

// linePlaceholder is a comment that generate turns into a //line
// directive at the start of its line once the file is printed (dst
// indents the comments inside function bodies; a directive must start
// its line).
const linePlaceholder = "//_agline:"

var linePlaceholderRE = regexp.MustCompile(`(?m)^[ \t]*//_agline:([0-9]+)$`)

// placeLineDirectives turns the line placeholders of the printed file out
// into //line directives naming base.
func placeLineDirectives(out []byte, base string) []byte {
	return linePlaceholderRE.ReplaceAll(out, []byte("//line "+base+":$1"))
}

func isParallelAnnotation(c string) bool { return strings.TrimSpace(c) == ParallelAnnotation }

// parallelFunc reports whether fd's doc comment holds the parallel
// annotation.
func parallelFunc(fd *ast.FuncDecl) bool {
	if fd.Doc == nil {
		return false
	}
	for _, c := range fd.Doc.List {
		if isParallelAnnotation(c.Text) {
			return true
		}
	}
	return false
}

// placeholderLine is the placeholder directive for the source line of p.
func (fl *fileLowerer) placeholderLine(p token.Pos) string {
	return linePlaceholder + strconv.Itoa(fl.fset.Position(p).Line+fl.lineDelta)
}

// lowerParallelFunc lowers an //asyncgo:parallel function, whose body is
// `return futures.Parallel(func(ctx context.Context) (R, error) { ... })`,
// into a call of a registered Func's Parallel: the body becomes a
// function of the package registered under the function's full name, so
// that a ProcessPool's workers (the same binary) can run it.
func (fl *fileLowerer) lowerParallelFunc(fd *ast.FuncDecl) {
	defer fl.recoverAt(fd.Pos(), fd.Name.Name+": cannot lower this parallel function")
	for _, c := range fd.Doc.List {
		if isAnnotation(c.Text) {
			fl.usedAnnot[c] = true
			if !isParallelAnnotation(c.Text) {
				fl.errorf(c.Pos(), "%s: %s and %s cannot annotate the same function", fd.Name.Name, strings.TrimSpace(c.Text), ParallelAnnotation)
				return
			}
		}
	}
	name := fd.Name.Name
	switch {
	case fd.Recv != nil:
		fl.errorf(fd.Pos(), "%s: %s applies to functions, not methods: a method's receiver would have to travel to a worker process; make it a function taking the receiver as a parameter, or call futures.Parallel without the annotation", name, ParallelAnnotation)
		return
	case fd.Type.TypeParams != nil:
		fl.errorf(fd.Pos(), "%s: %s applies to functions without type parameters: a generic function cannot be registered for worker processes under one name; call futures.Parallel without the annotation", name, ParallelAnnotation)
		return
	}
	lit, targs := fl.bodyForm(fd, func(e ast.Expr) bool { return fl.isPkgFunc(e, futuresPath, "Parallel") }, 2, 1)
	if lit == nil {
		fl.errorf(fd.Pos(), "%s: a parallel function's body must be a single `return futures.Parallel(func(ctx context.Context) (R, error) { ... })`", name)
		return
	}
	// What travels to a worker process must be encodable with gob.
	var fields, args, call []string
	var params []string // the body function's parameters
	litCtx := "_"
	if p := lit.Type.Params.List[0]; len(p.Names) == 1 {
		litCtx = p.Names[0].Name
	}
	shadowed := map[string]bool{litCtx: true} // the literal's names, which hide the function's in the body
	for _, r := range lit.Type.Results.List {
		for _, n := range r.Names {
			shadowed[n.Name] = true
		}
	}
	for _, p := range fd.Type.Params.List {
		// Only what the body can see travels: not blank parameters, nor
		// those the literal's own names hide.
		var sent []*ast.Ident
		for _, n := range p.Names {
			if n.Name != "_" && !shadowed[n.Name] {
				sent = append(sent, n)
			}
		}
		if len(sent) == 0 {
			continue
		}
		if why := notGobbable(fl.info.TypeOf(p.Type)); why != "" {
			fl.errorf(p.Type.Pos(), "%s: the parameter type %s %s, so a call could not travel to a worker process; call futures.Parallel without the annotation", name, fl.text(p.Type), why)
			return
		}
		ftype, ptype := fl.text(p.Type), fl.text(p.Type)
		_, variadic := p.Type.(*ast.Ellipsis)
		if variadic {
			ftype = "[]" + fl.text(p.Type.(*ast.Ellipsis).Elt)
		}
		for _, n := range sent {
			field := fmt.Sprintf("A%d", len(fields))
			fields = append(fields, field+" "+ftype)
			args = append(args, field+": "+n.Name)
			params = append(params, n.Name+" "+ptype)
			call = append(call, fmt.Sprintf("_agA.%s%s", field, map[bool]string{true: "..."}[variadic]))
		}
	}
	if why := notGobbable(targs.At(0)); why != "" {
		fl.errorf(lit.Type.Results.List[0].Type.Pos(), "%s: the result type %s %s, so a result could not travel back from a worker process; call futures.Parallel without the annotation", name, fl.text(lit.Type.Results.List[0].Type), why)
		return
	}
	fut := fl.pkgName(futuresPath, "futures")
	reg, argsT, bodyF := pfx+"Par"+name, pfx+"Par"+name+"Args", pfx+"Par"+name+"Body"
	body, err := printDst(fl.dstOf(lit.Body))
	if err != nil {
		fl.errorf(fd.Pos(), "%s: internal error: %v", name, err)
		return
	}
	ctxType := fl.text(lit.Type.Params.List[0].Type)
	var m strings.Builder
	fmt.Fprintf(&m, "\n// %s is %s's body, registered for worker processes (%s).\n", reg, name, ParallelAnnotation)
	fmt.Fprintf(&m, "var %s = %s.Register(%q, func(ctx %s, _agA %s) %s {\n\treturn %s(%s)\n})\n",
		reg, fut, fl.pkg.Path()+"."+name, ctxType, argsT, fl.text(lit.Type.Results), bodyF, strings.Join(append([]string{"ctx"}, call...), ", "))
	fmt.Fprintf(&m, "\n// %s holds the arguments of a call of %s.\ntype %s struct {\n", argsT, name, argsT)
	for _, f := range fields {
		fmt.Fprintf(&m, "\t%s\n", f)
	}
	m.WriteString("}\n")
	fmt.Fprintf(&m, "\nfunc %s(%s %s%s) %s ", bodyF, litCtx, ctxType, strings.Join(prepend(", ", params), ""), fl.text(lit.Type.Results))
	inner := strings.TrimPrefix(strings.TrimPrefix(body, "{"), "\n")
	inner = strings.TrimRight(strings.TrimSuffix(strings.TrimRight(inner, " \t\n"), "}"), " \t\n")
	fmt.Fprintf(&m, "{\n//line %s:%d\n%s\n}\n", fl.baseName(), fl.fset.Position(lit.Body.Lbrace).Line+1+fl.lineDelta, inner)
	newBody := fmt.Sprintf("{\n\treturn %s.Parallel(%s{%s})\n}", reg, argsT, strings.Join(args, ", "))
	fl.funcs = append(fl.funcs, &loweredFunc{decl: fd, newBody: newBody, machine: m.String()})
}

// recoverAt turns a panic of the rewriter's into an error at p: a bug
// must not crash the CLI, and nothing is written.
func (fl *fileLowerer) recoverAt(p token.Pos, what string) {
	if r := recover(); r != nil {
		fl.errorf(p, "%s: internal error (a bug in asyncgo rewrite%s; please report it): %v", what, panicSite(), r)
	}
}

func prepend(sep string, xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = sep + x
	}
	return out
}

func (fl *fileLowerer) baseName() string {
	n := fl.name
	if i := strings.LastIndexAny(n, `/\`); i >= 0 {
		n = n[i+1:]
	}
	return n
}

// notGobbable says why gob cannot encode values of t (channels,
// functions, unsafe pointers anywhere in it), or is empty.
func notGobbable(t types.Type) string {
	why := ""
	seen := map[types.Type]bool{}
	var walk func(t types.Type)
	walk = func(t types.Type) {
		if why != "" || seen[t] {
			return
		}
		seen[t] = true
		switch u := t.Underlying().(type) {
		case *types.Chan:
			why = "holds a channel"
		case *types.Signature:
			why = "holds a function"
		case *types.Basic:
			if u.Kind() == types.UnsafePointer {
				why = "holds an unsafe.Pointer"
			}
		case *types.Pointer:
			walk(u.Elem())
		case *types.Slice:
			walk(u.Elem())
		case *types.Array:
			walk(u.Elem())
		case *types.Map:
			walk(u.Key())
			walk(u.Elem())
		case *types.Struct:
			for i := range u.NumFields() {
				if f := u.Field(i); f.Exported() {
					walk(f.Type())
				}
			}
		}
	}
	walk(t)
	return why
}
