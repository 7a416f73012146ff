package fix

import (
	"github.com/asyncgo/asyncgo/runtime/aio"
	"time"
)

func wait(t *aio.Task, d int64) (string, error) {
	time.Sleep(2e9) // want `time.Sleep blocks the event loop`
	return "", nil
}
