// Package census prints, when ASYNCGO_CENSUS is set, one line per channel
// the bounded interleaving checker (chanmodel) considers: where it gave up
// and why, or what it explored and found. It is a development aid for
// measuring which of the checker's limits matter on a corpus; it changes
// no finding, except that ASYNCGO_CENSUS=all also lets the checker run on
// channels a pattern rule already reported on (so that what the checker
// finds by itself can be counted).
package census

import (
	"fmt"
	"go/token"
	"os"
)

var mode = os.Getenv("ASYNCGO_CENSUS")

// On reports whether census lines are printed.
func On() bool { return mode != "" }

// All reports whether the checker should also run where pattern rules
// reported (ASYNCGO_CENSUS=all).
func All() bool { return mode == "all" }

// Printf prints one census line for the channel made at pos:
// "CENSUS file:line:col message".
func Printf(fset *token.FileSet, pos token.Pos, format string, args ...any) {
	if mode == "" {
		return
	}
	fmt.Fprintf(os.Stderr, "CENSUS %s %s\n", fset.Position(pos), fmt.Sprintf(format, args...))
}
