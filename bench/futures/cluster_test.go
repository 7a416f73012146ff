package futures

import (
	"context"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/futures"
	"github.com/asyncgo/asyncgo/runtime/futures/cluster"
)

// spin burns d of CPU, as a task that computes for d would.
func spin(_ context.Context, d time.Duration) (int, error) {
	n := 0
	for start := time.Now(); time.Since(start) < d; {
		for range 1000 {
			n++
		}
	}
	return n, nil
}

var burn = futures.Register("bench.spin", spin)

// The executors side by side on the same registered functions: a
// ThreadPool and a ProcessPool of 2 workers, and a cluster.Pool on its
// embedded NATS server with 1 and 2 worker processes.
var executors = []struct {
	name string
	new  func() (futures.Executor, error)
}{
	{"ThreadPool2", func() (futures.Executor, error) { return futures.NewThreadPool(futures.MaxWorkers(2)), nil }},
	{"ProcessPool2", func() (futures.Executor, error) { return futures.NewProcessPool(futures.MaxWorkers(2)) }},
	{"ClusterPool1", func() (futures.Executor, error) { return cluster.NewPool(cluster.LocalWorkers(1)) }},
	{"ClusterPool2", func() (futures.Executor, error) { return cluster.NewPool(cluster.LocalWorkers(2)) }},
}

// BenchmarkExecutors measures each executor on tiny tasks (double) and on
// 1 ms CPU tasks (spin): "throughput" submits b.N tasks at once and reads
// every result, so ns/op is the cost per task with the workers busy;
// "latency" submits one task at a time and waits for it, so ns/op is a
// task's round trip.
func BenchmarkExecutors(b *testing.B) {
	ctx := context.Background()
	for _, ex := range executors {
		b.Run(ex.name, func(b *testing.B) {
			p, err := ex.new()
			if err != nil {
				b.Fatal(err)
			}
			defer p.Shutdown(true, false)
			// Start the workers outside the timing.
			for range double.Map(ctx, p, func(yield func(int) bool) {
				for i := range 8 {
					if !yield(i) {
						return
					}
				}
			}) {
			}
			for _, load := range []struct {
				name string
				d    time.Duration
			}{{"tiny", 0}, {"cpu1ms", time.Millisecond}} {
				run := func(i int) (*futures.Future[int], error) {
					if load.d == 0 {
						return double.Submit(p, i)
					}
					return burn.Submit(p, load.d)
				}
				b.Run(load.name+"/throughput", func(b *testing.B) {
					fs := make([]*futures.Future[int], b.N)
					b.ResetTimer()
					for i := range fs {
						if fs[i], err = run(i); err != nil {
							b.Fatal(err)
						}
					}
					for _, f := range fs {
						v, err := f.Result(ctx)
						if err != nil {
							b.Fatal(err)
						}
						sink.Add(int64(v))
					}
				})
				b.Run(load.name+"/latency", func(b *testing.B) {
					for i := range b.N {
						f, err := run(i)
						if err != nil {
							b.Fatal(err)
						}
						v, err := f.Result(ctx)
						if err != nil {
							b.Fatal(err)
						}
						sink.Add(int64(v))
					}
				})
			}
		})
	}
}
