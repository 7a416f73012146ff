package chanblock

import (
	"fmt"
	"go/token"
	"path/filepath"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/census"
	"github.com/asyncgo/asyncgo/analyzer/internal/chanmodel"
	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// stuckBudget bounds the states explored per channel: past it the
// checker gives up on the channel.
const stuckBudget = 4000

// stuckOn enables the rule (-chanblock.stuck, on by default; =false
// switches it off); see docs/analyzers.md.
var stuckOn bool

func init() {
	Analyzer.Flags.BoolVar(&stuckOn, "stuck", true, "also run the bounded interleaving checker (chanmodel) on local channels")
}

// stuckOps runs the bounded interleaving checker (chanmodel) on every
// channel made in the package whose whole life the package sees, and
// reports an operation some path of the goroutines leaves blocked forever,
// naming how the other goroutines ended on that path. It runs after the
// pattern rules and skips what they reported at the same position.
func stuckOps(st *state, funcs []*ssa.Function) {
	if !stuckOn {
		return
	}
	defer stuckRoots(st, funcs)
	defer stuckFields(st)
	defer stuckCallers(st)
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				mc, ok := instr.(*ssa.MakeChan)
				if !ok {
					continue
				}
				ch := st.follow(mc)
				if ch.Escapes {
					st.census(mc, "local: escapes its maker (%s)", ch.Why)
					continue
				}
				if st.reportedOn(ch) {
					st.census(mc, "local: a pattern rule reported on it")
					continue
				}
				st.census(mc, "local: checked")
				if len(ch.Returns) > 0 {
					stuckReturned(st, ch)
					continue
				}
				for _, s := range chanmodel.Check(ch, stuckBudget) {
					st.reportStuck(s)
				}
			}
		}
	}
}

// census prints a census line (analyzer/internal/census) for the
// channel made at mc.
func (st *state) census(mc *ssa.MakeChan, format string, args ...any) {
	census.Printf(st.pass.Fset, mc.Pos(), format, args...)
}

func (st *state) reportStuck(s chanmodel.Stuck) {
	st.reportStuckAs(s, "", nil)
}

// reportStuckAs reports s; why, when not empty, tells why the operation
// blocks forever instead of the goroutines' exits (with rel).
func (st *state) reportStuckAs(s chanmodel.Stuck, why string, rel []analysis.RelatedInformation) {
	if census.On() {
		var pos token.Pos
		if s.Sync != nil {
			pos = s.Sync.Pos
		} else {
			pos = s.Op.Instr.Pos()
		}
		census.Printf(st.pass.Fset, pos, "checker witness")
	}
	// A pattern rule that reported a wait of the witness (a wg.Wait
	// before the close) saw the same deadlock from the other side.
	for _, x := range s.Others {
		if x.Sync != "" && st.seenLine(x.Pos) {
			return
		}
	}
	// So did one that reported on a WaitGroup, lock or context the
	// checker follows (cancel called only on some paths).
	for _, p := range s.Objects {
		if st.seenLine(p) {
			return
		}
	}
	if s.Sync != nil {
		if !st.seenLine(s.Sync.Pos) {
			st.reportSyncStuck(s)
		}
		return
	}
	pos := s.Op.Instr.Pos()
	if s.Op.Kind == chanuse.SelectRecv || s.Op.Kind == chanuse.SelectSend {
		pos = s.Op.Instr.(*ssa.Select).Pos()
	}
	if !pos.IsValid() || st.seen[pos] || st.leaks.Reported(pos) {
		return
	}
	sends := s.Op.Kind == chanuse.Send || s.Op.Kind == chanuse.SelectSend
	what := "receive"
	switch {
	case s.Op.Kind == chanuse.SelectRecv || s.Op.Kind == chanuse.SelectSend:
		what = "select"
	case sends:
		what = "send"
	case st.ranges[pos]:
		what = "range loop"
	}
	// Name the other side: a goroutine that could have completed the
	// operation, else any other.
	var who *chanmodel.Exit
	for i := range s.Others {
		x := &s.Others[i]
		if sends && x.Recvs || !sends && x.Sends {
			who = x
			break
		}
	}
	if who == nil && len(s.Others) > 0 {
		who = &s.Others[0]
	}
	if why != "" {
		st.Report(analysis.Diagnostic{Pos: pos, Category: "deadlock", Message: polling(s, fmt.Sprintf("this %s can block forever: %s", what, why)), Related: rel})
		return
	}
	var msg string
	for _, x := range s.Others {
		rel = append(rel, analysis.RelatedInformation{Pos: x.Pos, Message: st.exitText(&x, false)})
	}
	switch {
	case who == nil && sends:
		msg = fmt.Sprintf("this %s can block forever: nothing else receives", what)
	case who == nil:
		msg = fmt.Sprintf("this %s can block forever: nothing else sends or closes", what)
	case sends:
		msg = fmt.Sprintf("this %s can block forever: %s and nothing else receives", what, st.exitText(who, true))
	case who.Blocked:
		msg = fmt.Sprintf("this %s can block forever: %s without sending or closing", what, st.exitText(who, true))
	default:
		msg = fmt.Sprintf("this %s can block forever: %s without sending or closing", what, st.exitText(who, true))
	}
	st.Report(analysis.Diagnostic{Pos: pos, Category: "deadlock", Message: polling(s, msg), Related: rel})
}

// polling rewords msg for a select that spins rather than blocks
// (chanmodel's polls.go).
func polling(s chanmodel.Stuck, msg string) string {
	if !s.Polls {
		return msg
	}
	return strings.Replace(msg, "can block forever", "can spin forever (it has a default, and its loop ends only by a case nothing can make ready any more)", 1)
}

// exitText tells how a goroutine of the witness ended, with its position
// when long.
func (st *state) exitText(x *chanmodel.Exit, long bool) string {
	name := x.Fn.Name()
	if x.Fn.Parent() != nil {
		name = "the goroutine running " + x.Fn.Parent().Name() + "'s function literal"
	}
	how := "returns"
	switch {
	case x.Sync != "":
		how = "is blocked at " + x.Sync
	case x.Polls:
		how = "spins at its select's default, as no case can become ready"
	case x.Blocked:
		how = "is blocked itself"
	case x.Other && x.Raced:
		// Raced (chanmodel's raced.go): the call began in time.
		how = "leaves its select by another case while this operation waits"
	case x.Other:
		how = "leaves its select by another case"
	}
	if len(x.Holds) > 0 {
		how = "holds " + strings.Join(x.Holds, ", ") + " and " + how
	}
	if !long {
		return name + " " + how + " here"
	}
	p := st.pass.Fset.Position(x.Pos)
	return fmt.Sprintf("%s %s (%s:%d)", name, how, filepath.Base(p.Filename), p.Line)
}

// reportedOn reports whether a pattern rule already reported an operation
// on ch: a stuck witness on the same channel is the same bug seen from the
// other side (one stop value sent, reported at the send; the second
// waiter's receive is the op left blocked).
func (st *state) reportedOn(ch *chanuse.Channel) bool {
	if census.All() {
		return false
	}
	for _, n := range ch.Nodes {
		for _, op := range n.Ops {
			pos := op.Instr.Pos()
			if sel, ok := op.Instr.(*ssa.Select); ok {
				pos = sel.Pos()
			}
			if pos.IsValid() && (st.seen[pos] || st.leaks.Reported(pos)) {
				return true
			}
		}
	}
	return false
}

// reportSyncStuck reports a wait on a WaitGroup, a lock, a context's
// Done or a Cond that the witness leaves blocked forever, naming the
// other side: who holds the lock, who returns without Done, who never
// cancels, who returns without waking the Cond.
func (st *state) reportSyncStuck(s chanmodel.Stuck) {
	ss := s.Sync
	if !ss.Pos.IsValid() || st.seen[ss.Pos] {
		return
	}
	var rel []analysis.RelatedInformation
	for _, x := range s.Others {
		rel = append(rel, analysis.RelatedInformation{Pos: x.Pos, Message: st.exitText(&x, false)})
	}
	// The other side: the holder of the lock; else a goroutine that
	// returned (it did not call Done, or did not cancel); else any.
	var who *chanmodel.Exit
	if ss.Holder >= 0 {
		who = &s.Others[ss.Holder]
	}
	for i := range s.Others {
		if who == nil && s.Others[i].Polls {
			who = &s.Others[i] // it spins for ever (chanmodel's polls.go)
		}
	}
	for i := range s.Others {
		if who == nil && !s.Others[i].Blocked && s.Others[i].Dones {
			who = &s.Others[i] // it returned without its Done
		}
	}
	for i := range s.Others {
		if who == nil && !s.Others[i].Blocked {
			who = &s.Others[i]
		}
	}
	if who == nil && len(s.Others) > 0 {
		who = &s.Others[0]
	}
	if who != nil && st.seenLine(who.Pos) {
		return // a pattern rule reported that return (it skips wg.Done)
	}
	var msg string
	switch {
	case ss.Kind == "lock" && ss.Holder == -2:
		msg = fmt.Sprintf("this %s can block forever: this goroutine already holds %s", ss.What, ss.Object)
	case ss.Kind == "lock" && who != nil:
		msg = fmt.Sprintf("this %s can block forever: %s without unlocking %s", ss.What, st.exitText(who, true), ss.Object)
	case ss.Kind == "wait" && who != nil:
		msg = fmt.Sprintf("this %s can block forever: its counter stays at %d; %s without calling Done", ss.What, ss.Count, st.exitText(who, true))
	case ss.Kind == "wait":
		msg = fmt.Sprintf("this %s can block forever: its counter stays at %d and no goroutine is left to call Done", ss.What, ss.Count)
	case ss.Kind == "cond" && who != nil:
		msg = fmt.Sprintf("this %s can block forever: no Signal or Broadcast comes once it waits; %s", ss.What, st.exitText(who, true))
	case ss.Kind == "cond":
		msg = fmt.Sprintf("this %s can block forever: no Signal or Broadcast comes once it waits", ss.What)
	case ss.Kind == "done" && who != nil:
		msg = fmt.Sprintf("this %s can block forever: %s without calling cancel", ss.What, st.exitText(who, true))
	default:
		msg = fmt.Sprintf("this %s can block forever: nothing calls cancel", ss.What)
	}
	st.Report(analysis.Diagnostic{Pos: ss.Pos, Category: "deadlock", Message: msg, Related: rel})
}

// seenLine reports whether something was reported on pos's line.
func (st *state) seenLine(pos token.Pos) bool {
	p := st.pass.Fset.Position(pos)
	for q := range st.seen {
		if r := st.pass.Fset.Position(q); r.Line == p.Line && r.Filename == p.Filename {
			return true
		}
	}
	return false
}
