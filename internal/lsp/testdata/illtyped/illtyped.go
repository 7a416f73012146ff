// Package illtyped is the input of TestAnalyzeIllTyped, which adds a type
// error to it through an overlay.
package illtyped

import (
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Work blocks its event loop.
//
//asyncgo:async
func Work() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		time.Sleep(time.Millisecond)
		return 1, nil
	})
}
