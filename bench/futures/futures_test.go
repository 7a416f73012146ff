package futures

import (
	"context"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/asyncgo/asyncgo/runtime/futures"
	"golang.org/x/sync/errgroup"
)

func TestMain(m *testing.M) {
	futures.WorkerMain()
	os.Exit(m.Run())
}

var sink atomic.Int64

func work(_ context.Context, i int) (int, error) { return i * 2, nil }

var double = futures.Register("bench.double", work)

// Each benchmark runs b.N tiny tasks concurrently and reads every result:
// ns/op is the cost per task.

func BenchmarkThreadPoolSubmitResult(b *testing.B) {
	ctx := context.Background()
	p := futures.NewThreadPool()
	defer p.Shutdown(true, false)
	fs := make([]*futures.Future[int], b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range fs {
		fs[i], _ = futures.Submit(p, func(ctx context.Context) (int, error) { return work(ctx, i) })
	}
	for _, f := range fs {
		v, _ := f.Result(ctx)
		sink.Add(int64(v))
	}
}

// The same inside a task, where Result consults the wait-for graph when it
// has to block: the price of deadlock detection.
func BenchmarkThreadPoolSubmitResultFromTask(b *testing.B) {
	ctx := context.Background()
	p := futures.NewThreadPool()
	defer p.Shutdown(true, false)
	outer := futures.NewThreadPool(futures.MaxWorkers(1))
	defer outer.Shutdown(true, false)
	b.ReportAllocs()
	b.ResetTimer()
	f, _ := futures.Submit(outer, func(tctx context.Context) (int, error) {
		fs := make([]*futures.Future[int], b.N)
		for i := range fs {
			fs[i], _ = futures.Submit(p, func(ctx context.Context) (int, error) { return work(ctx, i) })
		}
		for _, f := range fs {
			v, err := f.Result(tctx)
			if err != nil {
				return 0, err
			}
			sink.Add(int64(v))
		}
		return 0, nil
	})
	if _, err := f.Result(ctx); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkThreadPoolMap(b *testing.B) {
	ctx := context.Background()
	p := futures.NewThreadPool()
	defer p.Shutdown(true, false)
	items := make([]int, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for v, _ := range futures.Map(ctx, p, work, slices.Values(items)) {
		sink.Add(int64(v))
	}
}

func BenchmarkGoroutineWaitGroup(b *testing.B) {
	ctx := context.Background()
	res := make([]int, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	for i := range res {
		wg.Add(1)
		go func() { defer wg.Done(); res[i], _ = work(ctx, i) }()
	}
	wg.Wait()
	for _, v := range res {
		sink.Add(int64(v))
	}
}

func BenchmarkErrgroup(b *testing.B) {
	res := make([]int, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	g, ctx := errgroup.WithContext(context.Background())
	for i := range res {
		g.Go(func() (err error) { res[i], err = work(ctx, i); return })
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	for _, v := range res {
		sink.Add(int64(v))
	}
}

// A ProcessPool's round trip: one task at a time to one worker process.
func BenchmarkProcessPoolRoundTrip(b *testing.B) {
	ctx := context.Background()
	p, err := futures.NewProcessPool(futures.MaxWorkers(1))
	if err != nil {
		b.Fatal(err)
	}
	defer p.Shutdown(true, false)
	f, _ := double.Submit(p, 0) // start the worker outside the timing
	f.Result(ctx)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		f, err := double.Submit(p, i)
		if err != nil {
			b.Fatal(err)
		}
		v, err := f.Result(ctx)
		if err != nil {
			b.Fatal(err)
		}
		sink.Add(int64(v))
	}
}

// Map over a ProcessPool with 2 workers, 100 items per round trip.
func BenchmarkProcessPoolMapChunks(b *testing.B) {
	ctx := context.Background()
	p, err := futures.NewProcessPool(futures.MaxWorkers(2))
	if err != nil {
		b.Fatal(err)
	}
	defer p.Shutdown(true, false)
	for range double.Map(ctx, p, slices.Values([]int{1, 2})) { // start the workers
	}
	items := make([]int, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for v, err := range double.Map(ctx, p, slices.Values(items), futures.Chunksize(100)) {
		if err != nil {
			b.Fatal(err)
		}
		sink.Add(int64(v))
	}
}
