// Command hello is the seeds' first asyncio program (案例08/09, and v11
// with async/await): two coroutines print, sleep a second without
// blocking each other, and print again; asyncio.wait runs both. It prints
// the name of the task it runs in where the seed prints the thread, to
// show both run on the loop's one thread of control.
package main

import (
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// hello greets, sleeps a second and greets again.
//
//asyncgo:async
func hello(w io.Writer, delay time.Duration) *aio.Coroutine[struct{}] {
	return aio.Async(func(t *aio.Task) (struct{}, error) {
		fmt.Fprintf(w, "Hello world! (%s)\n", t.Name())
		if err := aio.Sleep(t, delay); err != nil {
			return struct{}{}, err
		}
		fmt.Fprintf(w, "Hello again! (%s)\n", t.Name())
		return struct{}{}, nil
	})
}

// run is the seed's loop.run_until_complete(asyncio.wait(tasks)).
func run(w io.Writer, delay time.Duration, opts ...aio.Option) error {
	loop := aio.NewLoop(opts...)
	defer loop.Close()
	start := loop.Now()
	main := aio.Async(func(t *aio.Task) (struct{}, error) {
		tasks := []*aio.Handle[struct{}]{aio.CreateTask(t, hello(w, delay)), aio.CreateTask(t, hello(w, delay))}
		_, _, err := aio.Wait(t, tasks, aio.AllCompleted)
		return struct{}{}, err
	})
	if err := loop.RunUntilComplete(main); err != nil {
		return err
	}
	fmt.Fprintf(w, "both done after %v\n", loop.Now().Sub(start).Round(delay/10))
	return nil
}

func main() {
	if err := run(os.Stdout, time.Second); err != nil {
		log.Fatal(err)
	}
}
