package reach

import (
	"io"
	"sync"
)

// --- look-alike that must stay silent ---

// An interface of the standard library with one implementation here: the
// closer may be any io.Closer of any package.
type file struct {
	mu   sync.Mutex
	open bool
}

func (f *file) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.open = false
	return nil
}

func closeUnder(f *file, c io.Closer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c.Close() // ok: not resolved to (*file).Close
}
