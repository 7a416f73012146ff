package fix

import (
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

type point struct{ x, y int }

var wg sync.WaitGroup

func sleepy() *aio.Coroutine[point] {
	return aio.Async(func(t *aio.Task) (point, error) {
		time.Sleep(10 * time.Millisecond) // want `time.Sleep blocks the event loop`
		data, err := os.ReadFile("data")  // want `os.ReadFile blocks the event loop`
		if err != nil {
			return point{}, err
		}
		wg.Wait() // want `\(\*sync.WaitGroup\).Wait blocks the event loop`
		return point{len(data), 0}, nil
	})
}

func onlyError(t *aio.Task, cmd *exec.Cmd) error {
	time.Sleep(time.Second) // want `time.Sleep blocks the event loop`
	return cmd.Run()        // want `\(\*exec.Cmd\).Run blocks the event loop`
}

func noError(t *aio.Task) {
	time.Sleep(time.Second) // want `time.Sleep blocks the event loop`
}

func generic[T any](t *aio.Task, d time.Duration) (T, []T, error) {
	time.Sleep(d) // want `time.Sleep blocks the event loop`
	var v T
	return v, nil, nil
}

func shadowed(t *aio.Task) error {
	{
		t := 1
		_ = t
		time.Sleep(time.Second) // want `time.Sleep blocks the event loop`
	}
	return nil
}
