package main

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// NoCopy keeps values that must not be copied across suspensions: a
// strings.Builder (which panics when used after being copied), a
// sync.Mutex locked across a yield with a deferred unlock, a WaitGroup,
// and an atomic counter.
//
//asyncgo:generator
func NoCopy() *coro.Generator[string, struct{}, string] {
	return coro.New(func(co *coro.Co[string, struct{}]) string {
		var b strings.Builder
		var mu sync.Mutex
		var wg sync.WaitGroup
		var n atomic.Int64
		mu.Lock()
		defer mu.Unlock()
		for i := range 3 {
			b.WriteString(fmt.Sprint(i))
			co.Yield(b.String())
			wg.Add(1)
			go func() {
				defer wg.Done()
				n.Add(int64(i))
			}()
		}
		wg.Wait()
		co.Yield(fmt.Sprint("n ", n.Load()))
		return b.String()
	})
}

var _ = register("values/no-copy", func(t *trace) { all(t, NoCopy()) })
