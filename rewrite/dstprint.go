package rewrite

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/scanner"
	"go/token"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
)

// The rewriter reads and prints Go through github.com/dave/dst: every file
// it lowers is decorated (dst keeps each comment and blank line attached to
// the node it annotates), the lowering analyses the go/ast nodes, which
// carry the type information, and prints the dst nodes they map to, so the
// comments inside copied statements come along; the comments between
// flattened statements are re-emitted next to the code lowered from them.

// dstOf returns the dst node that decorates the go/ast node n.
func (fl *fileLowerer) dstOf(n ast.Node) dst.Node { return fl.dec.Dst.Nodes[n] }

// astOf returns the go/ast node that n decorates, or nil for a node the
// rewriter made.
func (fl *fileLowerer) astOf(n dst.Node) ast.Node { return fl.dec.Ast.Nodes[n] }

// printDst prints a statement or an expression with its decorations. A
// statement is printed as it would be at the top of a function body (its
// first line unindented); the lines after the first keep one tab of
// indentation more than needed, which the final formatting removes (raw
// strings are never re-indented).
func printDst(n dst.Node) (string, error) {
	file := &dst.File{Name: dst.NewIdent("p")}
	var stmt bool
	switch x := n.(type) {
	case dst.Stmt:
		stmt = true
		file.Decls = []dst.Decl{&dst.FuncDecl{Name: dst.NewIdent("_"), Type: &dst.FuncType{Params: &dst.FieldList{}},
			Body: &dst.BlockStmt{List: []dst.Stmt{x}}}}
	case dst.Expr:
		file.Decls = []dst.Decl{&dst.GenDecl{Tok: token.VAR, Specs: []dst.Spec{
			&dst.ValueSpec{Names: []*dst.Ident{dst.NewIdent("_")}, Values: []dst.Expr{x}}}}}
	default:
		return "", fmt.Errorf("cannot print a %T", n)
	}
	d := n.Decorations()
	before, after := d.Before, d.After
	d.Before, d.After = dst.None, dst.None
	if stmt {
		d.Before, d.After = dst.NewLine, dst.NewLine // not on the brace's line
	}
	defer func() { d.Before, d.After = before, after }()
	var buf bytes.Buffer
	if err := decorator.NewRestorer().Fprint(&buf, file); err != nil {
		return "", err
	}
	s := buf.String()
	if stmt {
		i := strings.Index(s, "func _() {\n")
		j := strings.LastIndex(s, "\n}")
		if i < 0 || j < i {
			return "", fmt.Errorf("unexpected printer output %q", s)
		}
		return strings.TrimPrefix(s[i+len("func _() {\n"):j], "\t"), nil
	}
	i := strings.Index(s, "var _ = ")
	if i < 0 {
		return "", fmt.Errorf("unexpected printer output %q", s)
	}
	return endLineComment(strings.TrimSuffix(s[i+len("var _ = "):], "\n")), nil
}

// endLineComment turns a // comment that ends an expression's text into a
// /* */ comment, so that the text can be embedded in a line of code.
func endLineComment(s string) string {
	var sc scanner.Scanner
	fs := token.NewFileSet()
	f := fs.AddFile("", -1, len(s))
	sc.Init(f, []byte(s), nil, scanner.ScanComments)
	last, lastTok, lastLit := -1, token.ILLEGAL, ""
	for {
		pos, tok, lit := sc.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.SEMICOLON && lit == "\n" {
			continue // automatic semicolon
		}
		last, lastTok, lastLit = f.Offset(pos), tok, lit
	}
	if lastTok != token.COMMENT || !strings.HasPrefix(lastLit, "//") {
		return s
	}
	body := strings.TrimRight(strings.TrimPrefix(lastLit, "//"), " \t\r")
	if strings.Contains(body, "*/") {
		return strings.TrimRight(s[:last], " \t")
	}
	return s[:last] + "/*" + body + " */"
}

// isComment reports whether a line of lowered code is a comment.
func isComment(l string) bool { return strings.HasPrefix(l, "//") || strings.HasPrefix(l, "/*") }

// isLineDirective reports whether a comment is a //line or /*line directive:
// the user's own directives inside a lowered body would break the mapping
// of the lowered code to the source, so they are not carried.
func isLineDirective(c string) bool {
	return strings.HasPrefix(c, "//line ") || strings.HasPrefix(c, "/*line ")
}
