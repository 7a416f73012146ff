package lockorder

import (
	"sync"

	"golang.org/x/tools/go/ssa"
)

// names keeps the full names of the functions of one SSA program. A
// driver that analyzes packages of another program (a new go vet unit, the
// next load of an editor) replaces them, so the cache holds one program's
// functions at most.
var names nameCache

type nameCache struct {
	mu   sync.Mutex
	prog *ssa.Program
	m    map[*ssa.Function]string
}

func (c *nameCache) of(fn *ssa.Function) string {
	c.mu.Lock()
	if c.prog == fn.Prog {
		if n, ok := c.m[fn]; ok {
			c.mu.Unlock()
			return n
		}
	}
	c.mu.Unlock()
	n := fullName(fn)
	c.mu.Lock()
	if c.prog != fn.Prog {
		c.prog, c.m = fn.Prog, map[*ssa.Function]string{}
	}
	c.m[fn] = n
	c.mu.Unlock()
	return n
}
