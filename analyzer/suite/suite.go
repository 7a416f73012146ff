// Package suite lists every asyncgo analyzer, for the drivers (asyncvet,
// asyncgo lint, the LSP server) to run together.
package suite

import (
	"github.com/asyncgo/asyncgo/analyzer/blocking"
	"github.com/asyncgo/asyncgo/analyzer/chanblock"
	"github.com/asyncgo/asyncgo/analyzer/condwait"
	"github.com/asyncgo/asyncgo/analyzer/deadlock"
	"github.com/asyncgo/asyncgo/analyzer/deadlockleak"
	"github.com/asyncgo/asyncgo/analyzer/holdlock"
	"github.com/asyncgo/asyncgo/analyzer/lockorder"
	"github.com/asyncgo/asyncgo/analyzer/unawaited"
	"golang.org/x/tools/go/analysis"
)

// Analyzers returns the asyncgo analyzers, in a stable order.
func Analyzers() []*analysis.Analyzer {
	return []*analysis.Analyzer{
		// One line per analyzer package; keep them sorted by name.
		blocking.Analyzer,
		chanblock.Analyzer,
		condwait.Analyzer,
		deadlock.Analyzer,
		deadlockleak.Analyzer,
		holdlock.Analyzer,
		lockorder.Analyzer,
		unawaited.Analyzer,
	}
}
