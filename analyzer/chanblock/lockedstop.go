package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// stopUnderLock reports a plain send, in a loop of a function started as
// a goroutine, on a channel kept in a field of the package's structs
// (itself, or an element of a slice or map field: subscribers' channels)
// and of an element type that some function of the package hands out on a
// channel it returns, made while holding a mutex field, when the goroutine's way out is a
// receive from a private channel field (its stop signal) whose every close
// or send in the package is made holding that same mutex: once a consumer
// stops draining, the goroutine waits in the send with the mutex held,
// and the stopper waits for the mutex before it can signal, so Close
// never returns and the goroutine never ends (goadesign/pulse#77).
func stopUnderLock(st *state, funcs []*ssa.Function) {
	started := map[*ssa.Function]bool{}
	writers := map[*types.Var]bool{}
	signals := map[*types.Var][]ssa.Instruction{} // closes of and sends on each private channel field
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.Go:
					if callee := in.Call.StaticCallee(); callee != nil {
						started[callee] = true
					}
				case *ssa.Call:
					if name, f := chanuse.MutexCall(&in.Call); f != nil && name == "Lock" {
						writers[f] = true
					}
					if b, ok := in.Call.Value.(*ssa.Builtin); ok && b.Name() == "close" {
						if f := loadedField(in.Call.Args[0]); f != nil {
							signals[f] = append(signals[f], in)
						}
					}
				case *ssa.Send:
					if f := loadedField(in.Chan); f != nil {
						signals[f] = append(signals[f], in)
					}
				case *ssa.Select:
					for _, s := range in.States {
						if s.Dir == types.SendOnly {
							if f := loadedField(s.Chan); f != nil {
								signals[f] = append(signals[f], in)
							}
						}
					}
				}
			}
		}
	}
	for g := range started {
		stops := stopFields(st, g)
		if len(stops) == 0 {
			continue
		}
		for _, b := range g.Blocks {
			for _, instr := range b.Instrs {
				send, ok := instr.(*ssa.Send)
				if !ok || !ssaloop.InLoop(b) {
					continue
				}
				sent := heldField(send.Chan, 0)
				if sent == nil || !handedOut(funcs, send.Chan.Type()) {
					continue
				}
				for _, lk := range lockCalls(g, "Lock", "RLock") {
					mu := lk.field
					if !chanuse.HeldAt(lk.call, send, mu) {
						continue
					}
					exclusive := lk.name == "Lock" || writers[mu]
					stop, stopLock, signal := lockedStop(stops, signals, g, sent, mu, exclusive)
					if stop == nil {
						continue
					}
					line := func(p token.Pos) int { return st.pass.Fset.Position(p).Line }
					st.Report(analysis.Diagnostic{
						Pos:      send.Pos(),
						Category: "deadlock",
						Message: fmt.Sprintf("this send holds mutex field %s (locked at line %d), and the goroutine's stop signal (field %s) is only given holding %s (line %d): once the receiver stops draining, the send blocks with %s held, and the stopper waits for %s before it can signal, forever",
							mu.Name(), line(lk.call.Pos()), stop.Name(), mu.Name(), line(stopLock.Pos()), mu.Name(), mu.Name()),
						Related: []analysis.RelatedInformation{
							{Pos: lk.call.Pos(), Message: "the mutex is locked here and still held at the send"},
							{Pos: stopLock.Pos(), Message: "the stopper locks it here, before it signals"},
							{Pos: signal.Pos(), Message: "the stop signal, given only with the mutex held"},
						},
					})
					break
				}
			}
		}
	}
}

// handedOut reports whether a function of the package returns a channel
// of ch's element type: the channels the goroutine feeds go to consumers
// the package does not control (a Subscribe), which may stop draining. A
// channel only the package's own loops receive from is left alone: they
// may drain it until the same stop signal.
func handedOut(funcs []*ssa.Function, ch types.Type) bool {
	c, ok := ch.Underlying().(*types.Chan)
	if !ok {
		return false
	}
	for _, fn := range funcs {
		res := fn.Signature.Results()
		for i := 0; i < res.Len(); i++ {
			if rc, ok := res.At(i).Type().Underlying().(*types.Chan); ok && rc.Dir() != types.SendOnly && types.Identical(rc.Elem(), c.Elem()) {
				return true
			}
		}
	}
	return false
}

// stopFields returns the private channel fields g receives from in a
// loop (plainly or in a select): its stop signals.
func stopFields(st *state, g *ssa.Function) []*types.Var {
	var out []*types.Var
	for _, b := range g.Blocks {
		if !ssaloop.InLoop(b) {
			continue
		}
		for _, instr := range b.Instrs {
			var chans []ssa.Value
			switch in := instr.(type) {
			case *ssa.UnOp:
				if in.Op == token.ARROW {
					chans = append(chans, in.X)
				}
			case *ssa.Select:
				for _, s := range in.States {
					if s.Dir == types.RecvOnly {
						chans = append(chans, s.Chan)
					}
				}
			}
			for _, c := range chans {
				if f := loadedField(c); f != nil && f.Pkg() == st.pass.Pkg && st.sealed.Private(f) {
					out = append(out, f)
				}
			}
		}
	}
	return out
}

// lockedStop returns a stop field (other than sent) that the package
// signals (closes or sends on) at least once, always outside g and always
// holding mu in a way that waits for g's lock, with one of those locks
// and signals.
func lockedStop(stops []*types.Var, signals map[*types.Var][]ssa.Instruction, g *ssa.Function, sent, mu *types.Var, exclusive bool) (*types.Var, ssa.Instruction, ssa.Instruction) {
next:
	for _, f := range stops {
		if f == sent || len(signals[f]) == 0 {
			continue
		}
		var lock, signal ssa.Instruction
		for _, s := range signals[f] {
			if s.Parent() == g {
				continue next
			}
			var held ssa.Instruction
			for _, l := range lockCalls(s.Parent(), "Lock", "RLock") {
				if l.field == mu && (exclusive || l.name == "Lock") && chanuse.HeldAt(l.call, s, mu) {
					held = l.call
					break
				}
			}
			if held == nil {
				continue next
			}
			if lock == nil {
				lock, signal = held, s
			}
		}
		return f, lock, signal
	}
	return nil, nil, nil
}

// loadedField returns the struct field v is loaded from.
func loadedField(v ssa.Value) *types.Var {
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		return chanuse.StructFieldOf(u.X)
	}
	if ct, ok := v.(*ssa.ChangeType); ok {
		return loadedField(ct.X)
	}
	return nil
}

// heldField returns the field a channel value comes from: the field
// itself, or a slice, array or map field it is an element of.
func heldField(v ssa.Value, depth int) *types.Var {
	if depth > 3 {
		return nil
	}
	switch v := v.(type) {
	case *ssa.UnOp:
		if v.Op != token.MUL {
			return nil
		}
		if f := chanuse.StructFieldOf(v.X); f != nil {
			return f
		}
		if ia, ok := v.X.(*ssa.IndexAddr); ok {
			return heldField(ia.X, depth+1)
		}
	case *ssa.Lookup:
		return heldField(v.X, depth+1)
	case *ssa.Extract:
		// The value of a comma-ok map lookup (t, ok := m[k]): extract #0.
		if l, ok := v.Tuple.(*ssa.Lookup); ok && v.Index == 0 {
			return heldField(l.X, depth+1)
		}
		// The value of a range over a map: extract #2 of next.
		if n, ok := v.Tuple.(*ssa.Next); ok && v.Index == 2 && !n.IsString {
			if r, ok := n.Iter.(*ssa.Range); ok {
				return heldField(r.X, depth+1)
			}
		}
	case *ssa.Index:
		return heldField(v.X, depth+1)
	case *ssa.ChangeType:
		return heldField(v.X, depth+1)
	}
	return nil
}
