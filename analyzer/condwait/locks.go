package condwait

import (
	"strings"

	"golang.org/x/tools/go/ssa"
)

// held is whether a Cond's lock is held: on every path (must) or on some
// path (may).
type held struct{ must, may bool }

// lockFlows is the state of one Cond's lock through every function of the
// package: at each block's entry, and at each function's entry as its
// callers leave it.
type lockFlows struct {
	cd    *cond
	entry map[*ssa.Function]held
	block map[*ssa.BasicBlock]held
}

// flowsFor computes cd's lock state over the package. A function is
// entered with the lock held on every path if every call in the package
// holds it (and nothing can call it from elsewhere), and possibly held if
// some call may, if its name says so (fooLocked), or if it is called
// from where we cannot see.
func (c *checker) flowsFor(cd *cond) *lockFlows {
	if lf, ok := c.flows[cd.key]; ok {
		return lf
	}
	lf := &lockFlows{cd: cd, entry: map[*ssa.Function]held{}, block: map[*ssa.BasicBlock]held{}}
	c.flows[cd.key] = lf
	for _, fn := range c.funcs {
		sites := c.callers[fn]
		h := held{}
		unseen := root(fn) || c.addrOf[fn] || len(sites) == 0
		if !unseen {
			h.must = true
		}
		if (!root(fn) && (c.addrOf[fn] || len(sites) == 0)) || strings.HasSuffix(strings.ToLower(fn.Name()), "locked") {
			h.may = true
		}
		lf.entry[fn] = h
	}
	for iter := 0; iter < 8; iter++ {
		changed := false
		for _, fn := range c.funcs {
			lf.run(fn)
		}
		for _, fn := range c.funcs {
			for _, s := range c.callers[fn] {
				if _, ok := lf.entry[s.caller]; !ok {
					continue
				}
				h := lf.at(s.instr)
				if s.isGo {
					h = held{}
				}
				e := lf.entry[fn]
				ne := held{must: e.must && h.must, may: e.may || h.may}
				if ne != e {
					lf.entry[fn] = ne
					changed = true
				}
			}
		}
		if !changed {
			break
		}
	}
	return lf
}

// run computes the state at each block entry of fn.
func (lf *lockFlows) run(fn *ssa.Function) {
	if len(fn.Blocks) == 0 {
		return
	}
	for _, b := range fn.Blocks {
		delete(lf.block, b)
	}
	lf.block[fn.Blocks[0]] = lf.entry[fn]
	work := []*ssa.BasicBlock{fn.Blocks[0]}
	for len(work) > 0 {
		b := work[len(work)-1]
		work = work[:len(work)-1]
		h := lf.block[b]
		for _, instr := range b.Instrs {
			h = lf.step(h, instr)
		}
		for _, s := range b.Succs {
			old, ok := lf.block[s]
			nh := h
			if ok {
				nh = held{must: old.must && h.must, may: old.may || h.may}
			}
			if !ok || nh != old {
				lf.block[s] = nh
				work = append(work, s)
			}
		}
	}
}

func (lf *lockFlows) step(h held, instr ssa.Instruction) held {
	call, ok := instr.(*ssa.Call)
	if !ok {
		return h
	}
	switch lockOp(&call.Call, lf.cd.locks) {
	case 1:
		return held{true, true}
	case -1:
		return held{}
	}
	return h
}

// at returns the state just before instr.
func (lf *lockFlows) at(instr ssa.Instruction) held {
	b := instr.Block()
	h, ok := lf.block[b]
	if !ok {
		return held{} // unreachable
	}
	for _, in := range b.Instrs {
		if in == instr {
			break
		}
		h = lf.step(h, in)
	}
	return h
}
