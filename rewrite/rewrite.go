// Package rewrite is asyncgo's source-to-source compiler: it lowers generator
// functions annotated //asyncgo:generator into stackless state machines that
// implement coro.Machine, so that a suspended generator is a small struct and
// not a goroutine with a stack.
//
// For a source file foo.go holding annotated functions, Package produces
//
//   - foo.go itself, with the build constraint asyncgo_direct added (the
//     source build, selected with -tags asyncgo_direct), and
//   - foo_asyncgo.go, constrained to !asyncgo_direct (the default build): a
//     copy of foo.go whose annotated functions build their generators with
//     coro.FromMachine from a generated state machine. //line directives map
//     the generated code back to foo.go.
//
// Files are read and printed through github.com/dave/dst, so the code
// outside the annotated functions keeps its comments and layout, and the
// comments inside a lowered body come along with the code lowered from
// the statements they annotate.
//
// Files without the annotation are never touched. See docs/rewrite.md.
package rewrite

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/build/constraint"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"
)

// Annotation marks a generator function to lower.
const Annotation = "//asyncgo:generator"

// DirectTag is the build tag that selects the source (direct-mode) build of
// a rewritten package.
const DirectTag = "asyncgo_direct"

// GeneratedSuffix ends the name of every generated file.
const GeneratedSuffix = "_asyncgo.go"

const coroPath = "github.com/asyncgo/asyncgo/runtime/coro"

// File is one output of a rewrite: the path to write and its old and new
// contents (Old is nil when the file does not exist yet).
type File struct {
	Path     string
	Old, New []byte
}

// Changed reports whether writing the file would change it.
func (f File) Changed() bool { return f.Old == nil || !bytes.Equal(f.Old, f.New) }

// Error is a positioned rewrite error.
type Error struct {
	Pos token.Position
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Pos, e.Msg) }

// ErrorList is the list of errors of a rewrite, sorted by position.
type ErrorList []*Error

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// IsGenerated reports whether name is a file the rewriter generates.
func IsGenerated(name string) bool { return strings.HasSuffix(name, GeneratedSuffix) }

// NeedsRewrite reports whether a Go source file holds the annotation (a
// cheap textual test that spares loading packages that have none).
func NeedsRewrite(src []byte) bool { return bytes.Contains(src, []byte(Annotation)) }

// Package rewrites the package in directory dir. It returns the files to
// write (sources gaining the build constraint and generated files), or the
// errors, each positioned. Directories without annotated files cost one
// read of each .go file.
func Package(dir string) ([]File, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	want := false
	for _, e := range ents {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasSuffix(n, ".go") && !IsGenerated(n) && !strings.HasSuffix(n, "_test.go") {
			src, err := os.ReadFile(filepath.Join(dir, n))
			if err != nil {
				return nil, err
			}
			if NeedsRewrite(src) {
				want = true
				break
			}
		}
	}
	if !want {
		return nil, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	cfg := &packages.Config{
		Mode:       packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo,
		Dir:        abs,
		BuildFlags: []string{"-tags=" + DirectTag},
		Fset:       token.NewFileSet(),
	}
	pkgs, err := packages.Load(cfg, ".")
	if err != nil {
		return nil, err
	}
	if len(pkgs) != 1 {
		return nil, fmt.Errorf("%s: expected one package, found %d", dir, len(pkgs))
	}
	pkg := pkgs[0]
	var errs ErrorList
	for _, e := range pkg.Errors {
		errs = append(errs, &Error{Pos: parsePos(e.Pos), Msg: e.Msg})
	}
	if len(errs) > 0 {
		for _, e := range errs {
			if filepath.Dir(e.Pos.Filename) == abs {
				e.Pos.Filename = filepath.Join(dir, filepath.Base(e.Pos.Filename))
			}
		}
		return nil, errs
	}
	var out []File
	for _, f := range pkg.Syntax {
		name := cfg.Fset.File(f.Pos()).Name()
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		if !NeedsRewrite(src) || strings.HasSuffix(name, "_test.go") {
			continue
		}
		files, ferrs := rewriteFile(cfg.Fset, pkg.Types, pkg.TypesInfo, f, name, src)
		errs = append(errs, ferrs...)
		out = append(out, files...)
	}
	// Name files as the caller named the directory, as gofmt does.
	rel := func(p string) string {
		if filepath.Dir(p) == abs {
			return filepath.Join(dir, filepath.Base(p))
		}
		return p
	}
	for _, e := range errs {
		e.Pos.Filename = rel(e.Pos.Filename)
	}
	for i := range out {
		out[i].Path = rel(out[i].Path)
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool {
			a, b := errs[i].Pos, errs[j].Pos
			if a.Filename != b.Filename {
				return a.Filename < b.Filename
			}
			if a.Line != b.Line {
				return a.Line < b.Line
			}
			return a.Column < b.Column
		})
		return nil, errs
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func parsePos(s string) token.Position {
	var p token.Position
	p.Filename = s
	// file:line:col
	parts := strings.Split(s, ":")
	if len(parts) >= 3 {
		fmt.Sscan(parts[len(parts)-2], &p.Line)
		fmt.Sscan(parts[len(parts)-1], &p.Column)
		p.Filename = strings.Join(parts[:len(parts)-2], ":")
	}
	return p
}

// rewriteFile lowers the annotated functions of one file.
func rewriteFile(fset *token.FileSet, pkg *types.Package, info *types.Info, f *ast.File, name string, src []byte) ([]File, ErrorList) {
	tf := fset.File(f.Pos())
	off := func(p token.Pos) int { return tf.Offset(p) }
	fl := newFileLowerer(fset, pkg, info, f, name, src)
	if len(fl.errs) > 0 {
		return nil, fl.errs
	}
	// //line directives refer to the source as rewritten: it gains two
	// lines when it had no build constraint.
	fl.lineDelta = 2
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if cg.Pos() < f.Package && constraint.IsGoBuild(c.Text) {
				fl.lineDelta = 0
			}
		}
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || !annotated(fd) {
			continue
		}
		fl.lowerFunc(fd)
	}
	// Annotations on anything but a function declaration are mistakes.
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if strings.TrimSpace(c.Text) == Annotation && !fl.usedAnnot[c] {
				fl.errorf(c.Pos(), "%s must be in the doc comment of a function declaration", Annotation)
			}
		}
	}
	if len(fl.errs) > 0 {
		return nil, fl.errs
	}
	if len(fl.funcs) == 0 {
		return nil, nil
	}

	// Build constraints: the source gets asyncgo_direct, the generated file
	// its negation, both combined with any constraint the source had.
	var old constraint.Expr
	buildLine := -1 // byte range of the existing //go:build line
	buildEnd := -1
	for _, cg := range f.Comments {
		if cg.Pos() >= f.Package {
			break
		}
		for _, c := range cg.List {
			if constraint.IsGoBuild(c.Text) {
				x, err := constraint.Parse(c.Text)
				if err != nil {
					fl.errorf(c.Pos(), "bad build constraint: %v", err)
					return nil, fl.errs
				}
				old, buildLine, buildEnd = x, off(c.Pos()), off(c.End())
			}
		}
	}
	rest := stripDirect(old)
	direct := &constraint.TagExpr{Tag: DirectTag}
	srcExpr := constraint.Expr(direct)
	genExpr := constraint.Expr(&constraint.NotExpr{X: direct})
	if rest != nil {
		srcExpr = &constraint.AndExpr{X: rest, Y: direct}
		genExpr = &constraint.AndExpr{X: rest, Y: genExpr}
	}
	var newSrc []byte
	if buildLine >= 0 {
		newSrc = append(append(append([]byte(nil), src[:buildLine]...), "//go:build "+srcExpr.String()...), src[buildEnd:]...)
	} else {
		newSrc = append([]byte("//go:build "+srcExpr.String()+"\n\n"), src...)
	}

	// The generated file, printed through dst.
	out, err := fl.generate(genExpr)
	if err != nil {
		// A bug in the rewriter, never the user's.
		fl.errorf(f.Package, "%v", err)
		return nil, fl.errs
	}
	genName := strings.TrimSuffix(name, ".go") + GeneratedSuffix
	oldGen, err := os.ReadFile(genName)
	if err != nil {
		oldGen = nil
	}
	return []File{{Path: name, Old: src, New: newSrc}, {Path: genName, Old: oldGen, New: out}}, nil
}

func numbered(b []byte) string {
	var s strings.Builder
	for i, l := range strings.Split(string(b), "\n") {
		fmt.Fprintf(&s, "%4d %s\n", i+1, l)
	}
	return s.String()
}

// stripDirect removes asyncgo_direct (or its negation) from the conjuncts
// of x, so that rewriting a file again gives the same constraints.
func stripDirect(x constraint.Expr) constraint.Expr {
	switch e := x.(type) {
	case nil:
		return nil
	case *constraint.TagExpr:
		if e.Tag == DirectTag {
			return nil
		}
	case *constraint.NotExpr:
		if t, ok := e.X.(*constraint.TagExpr); ok && t.Tag == DirectTag {
			return nil
		}
	case *constraint.AndExpr:
		a, b := stripDirect(e.X), stripDirect(e.Y)
		switch {
		case a == nil:
			return b
		case b == nil:
			return a
		}
		return &constraint.AndExpr{X: a, Y: b}
	}
	return x
}

func annotated(fd *ast.FuncDecl) bool {
	if fd.Doc == nil {
		return false
	}
	for _, c := range fd.Doc.List {
		if strings.TrimSpace(c.Text) == Annotation {
			return true
		}
	}
	return false
}
