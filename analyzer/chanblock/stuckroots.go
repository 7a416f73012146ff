package chanblock

import (
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/census"
	"github.com/asyncgo/asyncgo/analyzer/internal/chanmodel"
	"golang.org/x/tools/go/ssa"
)

// stuckRoots runs the bounded interleaving checker on models rooted at a
// local sync.WaitGroup, Mutex or RWMutex (chanmodel's roots.go) rather
// than at a channel: a Wait whose Done is skipped on some path, fewer
// goroutines started than added, a lock held across a Wait that a Done
// caller needs, a lock taken twice. Its witnesses are reported as the
// channel models' waits on objects are (reportSyncStuck), once per
// position.
func stuckRoots(st *state, funcs []*ssa.Function) {
	for _, fn := range funcs {
		for _, r := range chanmodel.SyncRoots(fn) {
			found, ops := chanmodel.CheckRoot(r, stuckBudget)
			if len(found) > 0 && !census.All() && st.reportedLine(ops) {
				continue // a pattern rule reported on the object: the same bug
			}
			for _, s := range found {
				if s.Sync != nil {
					st.reportStuck(s)
				}
			}
		}
	}
}

// reportedLine reports whether something was reported on the line of
// one of the root's operations, or inside a function operating on it
// (chanmodel.CheckRoot's positions: the operations, then a zero Pos,
// then the functions' extents): a pattern rule's return that skips
// wg.Done in a helper is the same bug as the Wait it leaves blocked.
func (st *state) reportedLine(ps []token.Pos) bool {
	for i, p := range ps {
		if p == token.NoPos {
			ext := ps[i+1:]
			for j := 0; j+1 < len(ext); j += 2 {
				for q := range st.seen {
					if ext[j] <= q && q < ext[j+1] {
						return true
					}
				}
			}
			return false
		}
		if st.seenLine(p) {
			return true
		}
	}
	return false
}
