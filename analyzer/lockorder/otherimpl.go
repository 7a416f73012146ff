package lockorder

import (
	"go/build"
	"go/types"
	"path/filepath"
	"strings"
)

// Interfaces declared in other packages (issue 14, item 2).
//
// A call of a method of an interface another package declares is
// resolved, like one of this package's interfaces, when exactly one named
// type implements it among this package's types and those of the packages
// it imports directly; the implementation's locks come from its Summary
// fact when it is in another package. Interfaces of the standard library
// (io.Writer, fmt.Stringer, sort.Interface) are implemented everywhere and
// are never resolved this way.

// stdObject reports whether obj is declared in the standard library (its
// file is under GOROOT/src).
func (c *checker) stdObject(obj types.Object) bool {
	file := c.pass.Fset.Position(obj.Pos()).Filename
	if file == "" {
		return true // no position: do not guess
	}
	root := filepath.Join(build.Default.GOROOT, "src") + string(filepath.Separator)
	return strings.HasPrefix(file, root)
}
