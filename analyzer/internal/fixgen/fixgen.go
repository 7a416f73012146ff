// Package fixgen builds the text of suggested fixes that must compile: type
// names spelled as the file imports them, zero values, and the
// `return zero..., err` that propagates an error from a statement.
package fixgen

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/token"
	"go/types"
	"strings"
)

// Qualifier names packages as one file imports them.
type Qualifier struct {
	names map[string]string
	self  *types.Package
}

// NewQualifier returns the qualifier of file, in package self.
func NewQualifier(info *types.Info, self *types.Package, file *ast.File) *Qualifier {
	q := &Qualifier{names: make(map[string]string), self: self}
	for _, imp := range file.Imports {
		path := strings.Trim(imp.Path.Value, "`\"")
		if n := ImportName(info, file, path); n != "" {
			q.names[path] = n
		}
	}
	return q
}

// ImportName returns the name under which file imports path, or "" when it
// does not (or imports it with a dot or blank name).
func ImportName(info *types.Info, file *ast.File, path string) string {
	for _, imp := range file.Imports {
		if strings.Trim(imp.Path.Value, "`\"") != path {
			continue
		}
		if imp.Name != nil {
			if imp.Name.Name == "_" || imp.Name.Name == "." {
				return ""
			}
			return imp.Name.Name
		}
		if pn, ok := info.Implicits[imp].(*types.PkgName); ok {
			return pn.Name()
		}
	}
	return ""
}

// PkgNameAt reports whether name, at pos, denotes the import of path (it is
// not shadowed there).
func PkgNameAt(pkg *types.Package, name, path string, pos token.Pos) bool {
	scope := pkg.Scope().Innermost(pos)
	if scope == nil {
		return false
	}
	_, obj := scope.LookupParent(name, pos)
	pn, ok := obj.(*types.PkgName)
	return ok && pn.Imported().Path() == path
}

// TypeString prints t as the file can spell it, or reports false when it
// names a package the file does not import.
func (q *Qualifier) TypeString(t types.Type) (string, bool) {
	ok := true
	s := types.TypeString(t, func(p *types.Package) string {
		if p == q.self {
			return ""
		}
		if n, found := q.names[p.Path()]; found {
			return n
		}
		ok = false
		return p.Name()
	})
	return s, ok
}

// IsError reports whether t is the error type.
func IsError(t types.Type) bool {
	return types.Identical(t, types.Universe.Lookup("error").Type())
}

// ErrReturn builds `return zero..., err` for a function of signature sig
// whose last result is an error, or reports false.
func (q *Qualifier) ErrReturn(sig *types.Signature) (string, bool) {
	res := sig.Results()
	if res.Len() == 0 || !IsError(res.At(res.Len()-1).Type()) {
		return "", false
	}
	vals := make([]string, 0, res.Len())
	for i := 0; i < res.Len()-1; i++ {
		z, ok := q.Zero(res.At(i).Type())
		if !ok {
			return "", false
		}
		vals = append(vals, z)
	}
	vals = append(vals, "err")
	return "return " + strings.Join(vals, ", "), true
}

// Zero returns an expression of t's zero value.
func (q *Qualifier) Zero(t types.Type) (string, bool) {
	if _, isParam := types.Unalias(t).(*types.TypeParam); !isParam {
		switch u := t.Underlying().(type) {
		case *types.Basic:
			switch {
			case u.Info()&types.IsBoolean != 0:
				return "false", true
			case u.Info()&types.IsString != 0:
				return `""`, true
			case u.Info()&types.IsNumeric != 0:
				return "0", true
			case u.Kind() == types.UnsafePointer:
				return "nil", true
			}
		case *types.Pointer, *types.Slice, *types.Map, *types.Chan, *types.Signature, *types.Interface:
			return "nil", true
		}
	}
	s, ok := q.TypeString(t)
	if !ok {
		return "", false
	}
	switch t.Underlying().(type) {
	case *types.Struct, *types.Array:
		if _, named := types.Unalias(t).(*types.Named); named {
			return s + "{}", true
		}
	}
	return "*new(" + s + ")", true
}

// StmtLists returns the statements of files that stand in a statement list
// (a block or a case body), where an if statement may replace them.
func StmtLists(files []*ast.File) map[ast.Stmt]bool {
	ok := make(map[ast.Stmt]bool)
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			var list []ast.Stmt
			switch n := n.(type) {
			case *ast.BlockStmt:
				list = n.List
			case *ast.CaseClause:
				list = n.Body
			case *ast.CommClause:
				list = n.Body
			}
			for _, s := range list {
				ok[s] = true
			}
			return true
		})
	}
	return ok
}

// InNestedLit reports whether pos is inside a function literal within body
// (a return there would leave the literal, not the function of body).
func InNestedLit(body *ast.BlockStmt, pos token.Pos) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if lit, ok := n.(*ast.FuncLit); ok && lit.Pos() <= pos && pos < lit.End() {
			found = true
		}
		return !found
	})
	return found
}

// FileOf returns the file of files that holds pos.
func FileOf(files []*ast.File, pos token.Pos) *ast.File {
	for _, f := range files {
		if f.FileStart <= pos && pos < f.FileEnd {
			return f
		}
	}
	return nil
}

// Source prints n as Go source.
func Source(fset *token.FileSet, n ast.Node) string {
	var buf bytes.Buffer
	if err := format.Node(&buf, fset, n); err != nil {
		if e, ok := n.(ast.Expr); ok {
			return types.ExprString(e)
		}
		return ""
	}
	return buf.String()
}
