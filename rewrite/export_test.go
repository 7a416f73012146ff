package rewrite

import "go/ast"

// SetLowerHook makes h run before each annotated function is lowered, until
// the returned function is called.
func SetLowerHook(h func(name string)) (restore func()) {
	lowerHook = func(fd *ast.FuncDecl) { h(fd.Name.Name) }
	return func() { lowerHook = nil }
}
