// Command spinneraio is the seeds' spinner_asyncio.py (Fluent Python
// ch. 18): a task animates a text spinner while the supervisor awaits a
// slow function; then the supervisor cancels the spinner, which catches
// the cancellation at its Sleep, clears the line and ends. Compare
// spinnerthread, the same program with a thread.
//
// The test runs it on a virtual clock, so that the 3 seconds pass at once
// and the output, 30 frames, is always the same.
package main

import (
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

const (
	tick = 100 * time.Millisecond // the seed's asyncio.sleep(.1)
	slow = 3 * time.Second        // the seed's asyncio.sleep(3)
)

// spin writes msg behind a turning bar until it is cancelled.
//
//asyncgo:async
func spin(w io.Writer, msg string) *aio.Coroutine[struct{}] {
	return aio.Async(func(t *aio.Task) (struct{}, error) {
		var status string
		for i := 0; ; i++ {
			status = string(`|/-\`[i%4]) + " " + msg
			io.WriteString(w, status)
			io.WriteString(w, strings.Repeat("\x08", len(status)))
			if err := aio.Sleep(t, tick); err != nil { // ErrCancelled: stop spinning
				break
			}
		}
		io.WriteString(w, strings.Repeat(" ", len(status))+strings.Repeat("\x08", len(status)))
		return struct{}{}, nil
	})
}

// slowFunction pretends to wait for I/O, without blocking the loop.
//
//asyncgo:async
func slowFunction() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		if err := aio.Sleep(t, slow); err != nil {
			return 0, err
		}
		return 42, nil
	})
}

// supervisor runs the spinner as a task while it awaits slowFunction.
//
//asyncgo:async
func supervisor(w io.Writer) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		spinner := aio.CreateTask(t, spin(w, "thinking!"))
		fmt.Fprintln(w, "spinner object:", spinner)
		result, err := aio.Await(t, slowFunction())
		spinner.Cancel()
		return result, err
	})
}

// run is the seed's main, on a loop made with opts.
func run(w io.Writer, opts ...aio.Option) error {
	loop := aio.NewLoop(opts...)
	h := aio.NewTask(loop, supervisor(w))
	err := loop.RunUntilComplete(h)
	loop.Close()
	if err != nil {
		return err
	}
	result, _ := h.Result()
	fmt.Fprintln(w, "Answer:", result)
	return nil
}

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}
