package rewrite

// Printing user code: the dst nodes of copied statements and expressions
// with hoisted variables renamed and the statements that leave the body
// lowered, through placeholders that no source text can contain.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"
)

// replace replaces the expression old by the identifier name in the dst
// nodes of s, keeping old's decorations. The go/ast nodes, which the type
// information describes, are never changed.
func (f *fn) replace(s ast.Node, old ast.Expr, name string) {
	dold := f.dstOf(old)
	dstutil.Apply(f.dstOf(s), func(c *dstutil.Cursor) bool {
		if c.Node() == dold {
			c.Replace(f.phIdent(name, dold))
			return false
		}
		return true
	}, nil)
}

// phIdent is an identifier (a placeholder) that takes the place of n with
// n's comments.
func (f *fn) phIdent(name string, n dst.Node) *dst.Ident {
	id := dst.NewIdent(name)
	if n != nil {
		id.Decs.NodeDecs = *n.Decorations()
	}
	return id
}

// phStmt is a statement (a placeholder) that takes the place of n with n's
// comments.
func (f *fn) phStmt(name string, n dst.Node) *dst.ExprStmt {
	st := &dst.ExprStmt{X: dst.NewIdent(name)}
	st.Decs.NodeDecs = *n.Decorations()
	return st
}

func (f *fn) placeholder(text string) string {
	f.nph++
	p := fmt.Sprintf("%s%d_", f.phPrefix, f.nph)
	f.ph[p] = text
	return p
}

// lineBlock is stmts, which replace the statement n in printed code and
// take more lines than it, as a block whose lines map back to n's: its
// statements to n's first line, its closing brace to n's last, so that a
// panic in them, and the code printed after the block, report the
// source's lines.
func (f *fn) lineBlock(n ast.Node, stmts string) string {
	start, end := f.fset.Position(n.Pos()), f.fset.Position(n.End())
	file := filepath.Base(start.Filename)
	return fmt.Sprintf("{\n//line %s:%d\n%s\n//line %s:%d\n}", file, start.Line+f.lineDelta, stmts, file, end.Line+f.lineDelta)
}

// expr prints an expression with hoisted variables renamed.
func (f *fn) expr(e ast.Expr) string { return f.verbatim(e) }

// exprDst prints a dst expression with hoisted variables renamed.
func (f *fn) exprDst(e dst.Expr) string { return f.verbatimDst(e) }

// verbatim prints n, which has no suspension, with hoisted variables
// renamed and the statements that leave the generator body (return, break
// and continue to a lowered loop, defer, Raise) lowered. It prints the dst
// node decorating n, so the comments inside n come along.
func (f *fn) verbatim(n ast.Node) string {
	dn := f.dstOf(n)
	if dn == nil {
		f.errorf(n.Pos(), "internal error: no dst node for a %T", n)
		return ""
	}
	return f.verbatimDst(dn)
}

// verbatimDst is verbatim on a dst node: the go/ast node each dst node
// decorates gives its type information; nodes the rewriter made (the
// placeholders) have none and are printed as they are.
func (f *fn) verbatimDst(n dst.Node) string {
	litDepth := 0
	breakable, loops := 0, 0
	labels := map[string]bool{}
	root := dstutil.Apply(n, func(c *dstutil.Cursor) bool {
		switch x := c.Node().(type) {
		case *dst.FuncLit:
			if litDepth == 0 && !f.inWrap {
				if lit, ok := f.astOf(x).(*ast.FuncLit); ok {
					if txt, ok := f.wrapLit(lit); ok {
						c.Replace(f.phIdent(f.placeholder(txt), x))
						return false
					}
				}
			}
			f.inWrap = false
			litDepth++
		case *dst.ForStmt, *dst.RangeStmt:
			breakable++
			loops++
		case *dst.SwitchStmt, *dst.TypeSwitchStmt, *dst.SelectStmt:
			breakable++
		case *dst.LabeledStmt:
			labels[x.Label.Name] = true
		case *dst.Ident:
			if f.renamed[x] || strings.HasPrefix(x.Name, pfx) {
				return true
			}
			id, ok := f.astOf(x).(*ast.Ident)
			if !ok {
				return true
			}
			o := f.info.ObjectOf(id)
			if a, ok := f.alias[o]; ok {
				x.Name = a
				f.renamed[x] = true
			} else if fd := f.hoisted[o]; fd != nil {
				x.Name = fd.ref()
				f.renamed[x] = true
			}
		case *dst.CallExpr:
			call, ok := f.astOf(x).(*ast.CallExpr)
			if !ok {
				return true
			}
			if k, ok := f.susp[call]; ok && k == kRaise && litDepth == 0 {
				// Through the machine: no name of the user's scope (panic,
				// the coro package) is involved.
				c.Replace(f.phIdent(f.placeholder(fmt.Sprintf("_agm._agf.Raise(%s)", f.exprDst(x.Args[0]))), x))
				return false
			}
		case *dst.ReturnStmt:
			if ar, ok := f.astOf(x).(*ast.ReturnStmt); ok && litDepth == 0 && len(f.scopes) > 0 {
				c.Replace(f.phStmt(f.placeholder(f.lineBlock(ar, f.scopeReturn(ar, x.Results))), x))
				return false
			}
			if ar, ok := f.astOf(x).(*ast.ReturnStmt); ok && litDepth == 0 {
				if r := f.directReturn(ar, x.Results); r != "" {
					c.Replace(f.phStmt(f.placeholder(f.lineBlock(ar, r)), x))
					return false
				}
				var b strings.Builder
				if a := f.retAssign(ar, x.Results); a != "" {
					b.WriteString(a + "\n")
				}
				if st := f.stops(0); st != "" {
					b.WriteString(st + "\n")
				}
				b.WriteString("goto _agRet")
				f.used["_agRet"] = true
				c.Replace(f.phStmt(f.placeholder(f.lineBlock(ar, b.String())), x))
				return false
			}
		case *dst.BranchStmt:
			if litDepth == 0 && x.Tok == token.GOTO {
				if ab, ok := f.astOf(x).(*ast.BranchStmt); ok {
					if stops := f.gotoStops(ab); stops != "" {
						c.Replace(f.phStmt(f.placeholder(f.lineBlock(ab, fmt.Sprintf("%s\ngoto %s", stops, x.Label.Name))), x))
						return false
					}
				}
			}
			if litDepth == 0 && (x.Tok == token.BREAK || x.Tok == token.CONTINUE) {
				inner := false
				if x.Label != nil {
					inner = labels[x.Label.Name]
				} else if x.Tok == token.BREAK {
					inner = breakable > 0
				} else {
					inner = loops > 0
				}
				if !inner {
					ab, ok := f.astOf(x).(*ast.BranchStmt)
					if !ok {
						return false
					}
					l, stops := f.branchTarget(ab)
					if l == "" {
						f.errorf(ab.Pos(), "cannot lower this %s", ab.Tok)
						return false
					}
					f.used[l] = true
					if stops != "" {
						c.Replace(f.phStmt(f.placeholder(f.lineBlock(ab, fmt.Sprintf("%s\ngoto %s", stops, l))), x))
						return false
					}
					g := &dst.BranchStmt{Tok: token.GOTO, Label: dst.NewIdent(l)}
					g.Decs.NodeDecs = x.Decs.NodeDecs
					c.Replace(g)
					return false
				}
			}
		case *dst.DeferStmt:
			if litDepth == 0 {
				if d, ok := f.astOf(x).(*ast.DeferStmt); ok {
					c.Replace(f.phStmt(f.placeholder(f.deferText(d)), x))
					return false
				}
			}
		}
		return true
	}, func(c *dstutil.Cursor) bool {
		switch c.Node().(type) {
		case *dst.FuncLit:
			litDepth--
		case *dst.ForStmt, *dst.RangeStmt:
			breakable--
			loops--
		case *dst.SwitchStmt, *dst.TypeSwitchStmt, *dst.SelectStmt:
			breakable--
		}
		return true
	})
	text, err := printDst(root)
	if err != nil {
		pos := token.NoPos
		if a := f.astOf(n); a != nil {
			pos = a.Pos()
		}
		f.errorf(pos, "internal error: %v", err)
	}
	return f.subst(text)
}

// wrapLit binds the escaping variables a function literal uses when the
// literal is evaluated, as Go's closures capture the variables themselves:
// a variable declared again in a later iteration is a new one.
func (f *fn) wrapLit(lit *ast.FuncLit) (string, bool) {
	var objs []types.Object
	seen := map[types.Object]bool{}
	ast.Inspect(lit, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			o := f.info.ObjectOf(id)
			if fd := f.hoisted[o]; fd != nil && fd.ptr && !seen[o] {
				seen[o] = true
				objs = append(objs, o)
			}
		}
		return true
	})
	if len(objs) == 0 {
		return "", false
	}
	// The pointers are bound by := so that no type is named here, inside
	// the user's scope (a local type or package name may shadow it).
	var binds []string
	for _, o := range objs {
		fd := f.hoisted[o]
		f.alias[o] = "(*_agc" + fd.name + ")"
		binds = append(binds, fmt.Sprintf("_agc%s := _agm.%s\n", fd.name, fd.name))
	}
	typ := f.verbatim(lit.Type)
	f.inWrap = true
	body := f.verbatim(lit)
	f.inWrap = false
	for _, o := range objs {
		delete(f.alias, o)
	}
	return fmt.Sprintf("func() %s {\n%sreturn %s\n}()", typ, strings.Join(binds, ""), body), true
}

// subst puts the text of each placeholder in its place. The placeholders'
// prefix occurs nowhere in the source file (see phPrefix), so what it
// finds was put there by the lowering, never text of the user's.
func (f *fn) subst(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, f.phPrefix)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := i + len(f.phPrefix)
		for j < len(s) && '0' <= s[j] && s[j] <= '9' {
			j++
		}
		if j < len(s) && s[j] == '_' {
			if t, ok := f.ph[s[i:j+1]]; ok {
				b.WriteString(s[:i])
				s = t + s[j+1:] // a placeholder's text may hold others
				continue
			}
		}
		b.WriteString(s[:j])
		s = s[j:]
	}
}
