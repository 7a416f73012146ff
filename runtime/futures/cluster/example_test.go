package cluster_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/asyncgo/asyncgo/runtime/futures"
	"github.com/asyncgo/asyncgo/runtime/futures/cluster"
)

// A Pool with its embedded NATS server and two local worker processes
// (the program calls futures.WorkerMain first thing in main; this
// package's TestMain does). With cluster.URL instead, the same code runs
// on workers anywhere.
func ExampleNewPool() {
	pool, err := cluster.NewPool(cluster.LocalWorkers(2))
	if err != nil {
		panic(err)
	}
	defer pool.Shutdown(true, false)

	ctx := context.Background()
	f, err := gcdFunc.Submit(pool, [2]int{12, 18})
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Result(ctx))
	for v, err := range gcdFunc.Map(ctx, pool, slices.Values([][2]int{{35, 49}, {9, 6}}), futures.Chunksize(2)) {
		fmt.Println(v, err)
	}
	// Output:
	// 6 <nil>
	// 7 <nil>
	// 3 <nil>
}
