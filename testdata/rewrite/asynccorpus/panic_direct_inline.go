package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// AwaitPanickingDirect awaits DirectPanicker (panic_tasks.go), a direct
// coroutine that panics after a sleep: PEP 492's await runs it in the
// awaiting task, so the panic goes up through the awaiting body, whose
// deferred recover sees it.
//
//asyncgo:async
func AwaitPanickingDirect() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (s string, err error) {
		defer func() {
			if r := recover(); r != nil {
				s = fmt.Sprint("recovered ", r)
			}
		}()
		_, err = aio.Await(t, DirectPanicker())
		return "returned " + describe(err), err
	})
}

var _ = register("panic_direct_inline", func() { run(AwaitPanickingDirect()) })
