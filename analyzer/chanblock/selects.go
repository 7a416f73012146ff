package chanblock

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// selects reports a blocking select (no default) whose every case waits
// on a channel that can never be ready: nothing sends on or closes the
// channel it receives from, nothing receives from the unbuffered channel
// it sends on, or the channel is a field never assigned (nil). Such a
// select blocks forever. An empty `select {}` is a deliberate block and
// is not reported.
func selects(st *state) {
	for sel, cases := range st.dead {
		if !sel.Blocking || len(sel.States) == 0 || len(cases) != len(sel.States) {
			continue
		}
		var why []string
		ks := make([]int, 0, len(cases))
		for k := range cases {
			ks = append(ks, k)
		}
		sort.Ints(ks)
		var rel []analysis.RelatedInformation
		for _, k := range ks {
			why = append(why, cases[k])
			rel = append(rel, analysis.RelatedInformation{Pos: sel.States[k].Pos, Message: cases[k]})
		}
		st.Report(analysis.Diagnostic{
			Pos:      sel.Pos(),
			Category: "deadlock",
			Message:  fmt.Sprintf("no case of this select can ever proceed (%s), and it has no default: it blocks forever", strings.Join(why, "; ")),
			Related:  rel,
		})
	}
}
