package lockorder

import (
	"fmt"
	"go/token"
	"go/types"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/ssa"
)

// Condition variables (issue 14, item 6).
//
// A Cond is named by its field (or package variable), as locks are by
// class. Two mistakes block a waiter forever:
//
//   - a Wait on a Cond that nothing in the package signals, when nothing
//     outside it can: the Cond is an unexported field or variable, never
//     passed on (to a call, an interface, a closure, another variable) and
//     every Signal and Broadcast of the package names its field;
//   - a lost wake-up: a Wait that checks no predicate (it runs on every
//     path from the function's entry, outside any loop, in a function no
//     loop of the package calls), so a Signal made
//     before it is lost and nothing signals again. A waiter that starts
//     the signalling goroutine while holding the Cond's lock is safe only
//     if every signaller takes that lock too; it is reported when one
//     signals without it.

// condUse is one Wait, Signal or Broadcast of a Cond named by its field.
type condUse struct {
	fkey  string
	pos   token.Pos
	fn    *ssa.Function
	instr ssa.Instruction
	heldL bool // a signal made holding the Cond's lock
}

type condInfo struct {
	waits   []*condUse
	signals map[string][]*condUse // by field key
	escapes map[string]bool       // conds passed on, by field key
	unknown bool                  // some signal or escape names no field
	// loopCalled are the functions some call in a loop calls: a Wait in
	// one may leave the predicate loop to its caller (a Cond wrapper whose
	// Wait is called as `for empty() { w.Wait() }`).
	loopCalled map[*ssa.Function]bool
}

// scanCond records the Cond operations and escapes of instr.
func (c *checker) scanCond(fn *ssa.Function, instr ssa.Instruction) {
	ci := &c.conds
	if call, ok := instr.(*ssa.Call); ok && ssaloop.InLoop(call.Block()) {
		if callee := call.Call.StaticCallee(); callee != nil {
			ci.loopCalled[callee] = true
		}
	}
	if call, ok := instr.(ssa.CallInstruction); ok {
		common := call.Common()
		if callee := common.StaticCallee(); callee != nil && len(common.Args) > 0 {
			switch funcName(callee) {
			case "(*sync.Cond).Wait":
				if _, isCall := instr.(*ssa.Call); isCall {
					ci.waits = append(ci.waits, &condUse{fkey: fieldKey(common.Args[0]), pos: instr.Pos(), fn: fn, instr: instr})
				}
				return
			case "(*sync.Cond).Signal", "(*sync.Cond).Broadcast":
				fk := fieldKey(common.Args[0])
				// A signal on a Cond with no field name (a parameter)
				// signals one that was passed on, an escape noted where
				// it was.
				if fk != "" {
					// Held until noteSignal sees it made without the lock
					// (a deferred signal is never seen: assumed held).
					ci.signals[fk] = append(ci.signals[fk], &condUse{fkey: fk, pos: instr.Pos(), fn: fn, instr: instr, heldL: true})
				}
				return
			}
		}
	}
	// A *sync.Cond (or the address of a sync.Cond) used as anything but
	// the receiver of its methods or stored in a field may be signalled
	// elsewhere.
	var ops [16]*ssa.Value
	for i, op := range instr.Operands(ops[:0]) {
		if op == nil || *op == nil || !isCondPtr((*op).Type()) {
			continue
		}
		switch in := instr.(type) {
		case *ssa.Store:
			if i == 0 {
				continue // the address stored to
			}
			if _, ok := in.Addr.(*ssa.FieldAddr); ok {
				continue // kept in a field: named by it
			}
			if _, ok := in.Addr.(*ssa.Global); ok {
				continue
			}
		case *ssa.UnOp, *ssa.FieldAddr, *ssa.Field, *ssa.DebugRef, *ssa.Phi, *ssa.IndexAddr:
			continue
		case *ssa.Call:
			if callee := in.Call.StaticCallee(); callee != nil && funcName(callee) == "sync.NewCond" {
				continue
			}
		}
		if fk := fieldKey(*op); fk != "" {
			ci.escapes[fk] = true
		} else if _, ok := (*op).(*ssa.Call); !ok {
			ci.unknown = true
		}
	}
	if mc, ok := instr.(*ssa.MakeClosure); ok {
		// A method value s.cond.Broadcast signals when called.
		if fn, ok := mc.Fn.(*ssa.Function); ok && strings.HasPrefix(fn.Synthetic, "bound method wrapper") {
			if n := funcName(fn); strings.HasPrefix(n, "(*sync.Cond).") {
				ci.unknown = true
			}
		}
	}
}

func isCondPtr(t types.Type) bool {
	p, ok := t.Underlying().(*types.Pointer)
	return ok && isNamed(p.Elem(), "sync", "Cond")
}

// noteSignal records a Signal or Broadcast, and whether the Cond's lock
// is held at it.
func (f *fnChecker) noteSignal(v ssa.Value, pos token.Pos, s *state) {
	fk := fieldKey(v)
	if fk == "" || !f.final {
		return
	}
	held := false
	if ls, ok := f.c.condLock[fk]; ok {
		for _, h := range s.held {
			if isCondLock(h, ls) {
				held = true
			}
		}
	}
	for _, o := range f.c.conds.signals[fk] {
		if o.pos == pos && o.fn == f.fn {
			o.heldL = o.heldL && held // every run of the function
		}
	}
}

// reportConds reports Waits nothing signals and lost wake-ups.
func (c *checker) reportConds() {
	ci := &c.conds
	if ci.unknown {
		return
	}
	for _, w := range ci.waits {
		if w.fkey == "" || ci.escapes[w.fkey] || !c.private(w.fkey) {
			continue
		}
		name := w.fkey[strings.LastIndexAny(w.fkey, "./")+1:]
		sigs := ci.signals[w.fkey]
		if len(sigs) == 0 {
			c.report(w.pos, fmt.Sprintf("Wait on %s, which nothing signals: no Signal or Broadcast in this package names it and, unexported and never passed on, nothing elsewhere can; the goroutine waits forever", name),
				rel(w.pos, "the Wait"))
			continue
		}
		b := w.instr.Block()
		if ssaloop.InLoop(b) || madeInLoop(w.fn) || ci.loopCalled[w.fn] {
			continue
		}
		goBefore, uncond := straightLine(w.fn, w.instr)
		if !uncond {
			continue
		}
		var unheld *condUse
		for _, s := range sigs {
			if !s.heldL {
				unheld = s
				break
			}
		}
		if goBefore && unheld == nil {
			continue // the signaller it starts needs the lock Wait releases
		}
		sig := sigs[0]
		if unheld != nil {
			sig = unheld
		}
		var why string
		if goBefore {
			why = fmt.Sprintf("the goroutine started before it can signal at %s, without the Cond's lock, before this goroutine waits", c.at(sig.pos, w.pos))
		} else {
			why = fmt.Sprintf("if %s signals at %s before this goroutine reaches Wait", fnLabel(sig.fn), c.at(sig.pos, w.pos))
		}
		c.report(w.pos, fmt.Sprintf("lost wake-up: Wait on %s checks no condition and is not in a loop: %s; then the signal is lost and Wait blocks forever (wait in a loop on the condition the signaller sets, holding the Cond's lock)", name, why),
			rel(sig.pos, "the signal that can come first"))
	}
}

// madeInLoop reports whether fn is a function literal made only inside
// loops of its parent: its Wait runs once per iteration, and the loop
// tests the condition again around it (a Cond turned into a channel by a
// goroutine that waits, started on each turn of the caller's predicate
// loop, as in jackc/puddle's Acquire).
func madeInLoop(fn *ssa.Function) bool {
	parent := fn.Parent()
	if parent == nil {
		return false
	}
	made := false
	for _, b := range parent.Blocks {
		for _, instr := range b.Instrs {
			if mc, ok := instr.(*ssa.MakeClosure); ok && mc.Fn == fn {
				if !ssaloop.InLoop(b) {
					return false
				}
				made = true
			}
		}
	}
	return made
}

// straightLine reports whether instr runs on every path from fn's entry
// (no branch before it), and whether a go statement precedes it.
func straightLine(fn *ssa.Function, instr ssa.Instruction) (goBefore, uncond bool) {
	if len(fn.Blocks) == 0 {
		return false, false
	}
	seen := map[*ssa.BasicBlock]bool{}
	for b := fn.Blocks[0]; b != nil && !seen[b]; {
		seen[b] = true
		for _, in := range b.Instrs {
			if in == instr {
				return goBefore, true
			}
			if _, ok := in.(*ssa.Go); ok {
				goBefore = true
			}
		}
		if _, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Jump); !ok {
			return goBefore, false
		}
		b = b.Succs[0]
	}
	return goBefore, false
}

// private reports whether a field key ("pkg.T.f") or package variable
// ("{g:pkg.v}") cannot be reached by name from another package.
func (c *checker) private(fkey string) bool {
	name := fkey
	if strings.HasPrefix(fkey, "{g:") {
		name = strings.TrimSuffix(fkey, "}")
	}
	name = name[strings.LastIndexAny(name, "./")+1:]
	return name != "" && !token.IsExported(name)
}
