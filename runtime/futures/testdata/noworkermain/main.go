// Command noworkermain uses a ProcessPool but forgets futures.WorkerMain: its
// workers run main again instead of serving, and the pool must say so
// rather than hang or start workers without end.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/asyncgo/asyncgo/runtime/futures"
)

var double = futures.Register("double", func(_ context.Context, n int) (int, error) { return 2 * n, nil })

func main() {
	p, err := futures.NewProcessPool(futures.MaxWorkers(1))
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err) // what a worker process prints
		os.Exit(3)
	}
	defer p.Shutdown(true, false)
	f, err := double.Submit(p, 21)
	if err != nil {
		fmt.Println("submit:", err)
		os.Exit(1)
	}
	_, err = f.Result(context.Background())
	fmt.Println("result:", err)
}
