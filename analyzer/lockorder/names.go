package lockorder

import (
	"runtime"
	"sync"

	"golang.org/x/tools/go/ssa"
)

// names keeps the full names of the functions of the SSA programs asked
// about last. go vet analyzes one package per process, so one program is
// enough there; a driver that analyzes many packages in one process
// (golangci-lint, an editor) builds a program per package and runs several
// at once, and a cache of one program would be emptied by each in turn. A
// few programs are kept, the least recently used dropped first, so memory
// stays bounded in a long-lived process.
var names = nameCache{keep: runtime.GOMAXPROCS(0) + 1}

type nameCache struct {
	mu    sync.Mutex
	keep  int          // programs kept at most
	progs []*progNames // most recently used first
	built int          // names built rather than found (for tests)
}

type progNames struct {
	prog *ssa.Program
	m    map[*ssa.Function]string
}

func (c *nameCache) of(fn *ssa.Function) string {
	c.mu.Lock()
	p := c.program(fn.Prog)
	n, ok := p.m[fn]
	c.mu.Unlock()
	if ok {
		return n
	}
	n = fullName(fn)
	c.mu.Lock()
	c.program(fn.Prog).m[fn] = n
	c.built++
	c.mu.Unlock()
	return n
}

// program returns prog's names, moved to the front; c.mu is held.
func (c *nameCache) program(prog *ssa.Program) *progNames {
	for i, p := range c.progs {
		if p.prog == prog {
			copy(c.progs[1:i+1], c.progs[:i])
			c.progs[0] = p
			return p
		}
	}
	p := &progNames{prog: prog, m: map[*ssa.Function]string{}}
	if len(c.progs) < c.keep {
		c.progs = append(c.progs, nil)
	}
	copy(c.progs[1:], c.progs)
	c.progs[0] = p
	return p
}
