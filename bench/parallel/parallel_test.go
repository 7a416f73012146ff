package parallel

import (
	"sync"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/futures"
	"golang.org/x/sync/errgroup"
)

const (
	burnItems  = 64
	burnRounds = 500_000 // about half a millisecond of CPU per item
	sumItems   = 10_000
)

// seqBurn is ParallelBurn's loop run sequentially: what direct mode runs.
func seqBurn(n, rounds int) uint64 {
	var acc uint64
	for i := range n {
		acc = acc*31 + burn(uint64(i), rounds)
	}
	return acc
}

// errgroupBurn is the loop written with errgroup, k at a time, results
// combined in order afterwards.
func errgroupBurn(k, n, rounds int) uint64 {
	var g errgroup.Group
	g.SetLimit(k)
	res := make([]uint64, n)
	for i := range n {
		g.Go(func() error { res[i] = burn(uint64(i), rounds); return nil })
	}
	g.Wait()
	var acc uint64
	for _, v := range res {
		acc = acc*31 + v
	}
	return acc
}

var want = seqBurn(burnItems, 1000)

// sink keeps the results, so that no loop is optimised away.
var sink uint64

// variant is one way of running a loop, with the executor it needs.
type variant struct {
	name string
	pool *futures.ThreadPool // made the parallel executor while it runs, or nil
	run  func()
}

// interleave runs the variants one after the other in each round, each
// round starting with the next variant, and reports each one's mean wall
// time and CPU time (the whole process's) per run divided by per, in
// unit, and the CPU cores it kept busy on average (CPU time over wall
// time): on a shared machine whose load
// changes, every variant meets the same load, which running them one
// after the other would not give, and the cores show how much of the
// machine the process got.
func interleave(b *testing.B, unit string, per float64, vs []variant) {
	wall := make([]time.Duration, len(vs))
	cpu := make([]time.Duration, len(vs))
	rounds := 0
	for b.Loop() {
		for j := range vs {
			i := (rounds + j) % len(vs)
			if vs[i].pool != nil {
				futures.SetParallelExecutor(vs[i].pool)
			}
			start, c := time.Now(), cpuTime()
			vs[i].run()
			wall[i] += time.Since(start)
			cpu[i] += cpuTime() - c
		}
		rounds++
	}
	futures.SetParallelExecutor(nil)
	for i, v := range vs {
		b.ReportMetric(float64(wall[i].Nanoseconds())/float64(rounds)/per, v.name+"-"+unit)
		b.ReportMetric(float64(cpu[i].Nanoseconds())/float64(rounds)/per, v.name+"-cpu-"+unit)
		b.ReportMetric(float64(cpu[i])/float64(wall[i]), v.name+"-cores")
	}
}

// pools returns thread pools of 1 and 2 workers, shut down after b.
func pools(b *testing.B) (one, two *futures.ThreadPool) {
	one, two = futures.NewThreadPool(futures.MaxWorkers(1)), futures.NewThreadPool(futures.MaxWorkers(2))
	b.Cleanup(func() {
		futures.SetParallelExecutor(nil)
		one.Shutdown(true, false)
		two.Shutdown(true, false)
	})
	return one, two
}

// BenchmarkBurn runs 64 CPU-bound items (about half a millisecond each)
// sequentially, in the parallel loop with 1 and 2 workers, and with
// errgroup limited to 1 and 2 goroutines at a time, interleaved; the
// metrics are milliseconds per loop.
func BenchmarkBurn(b *testing.B) {
	one, two := pools(b)
	futures.SetParallelExecutor(two)
	if got := ParallelBurn(burnItems, 1000); got != want {
		b.Fatalf("parallel loop: %d, sequential: %d", got, want)
	}
	interleave(b, "ms/loop", 1e6, []variant{
		{"sequential", nil, func() { sink += seqBurn(burnItems, burnRounds) }},
		{"parallel1", one, func() { sink += ParallelBurn(burnItems, burnRounds) }},
		{"parallel2", two, func() { sink += ParallelBurn(burnItems, burnRounds) }},
		{"errgroup1", nil, func() { sink += errgroupBurn(1, burnItems, burnRounds) }},
		{"errgroup2", nil, func() { sink += errgroupBurn(2, burnItems, burnRounds) }},
	})
}

// handSum is ParallelSum hand-written the errgroup way without errgroup: a
// goroutine per item, k at a time, a WaitGroup, the first error kept, the
// results combined in order afterwards.
func handSum(k int, xs []int) (int, error) {
	res := make([]int, len(xs))
	sem := make(chan struct{}, k)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for i, x := range xs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			v, err := double(x)
			if err != nil {
				once.Do(func() { first = err })
				return
			}
			res[i] = v
		}()
	}
	wg.Wait()
	if first != nil {
		return 0, first
	}
	sum := 0
	for _, v := range res {
		sum += v
	}
	return sum, nil
}

// errgroupSum is ParallelSum with errgroup.
func errgroupSum(k int, xs []int) (int, error) {
	var g errgroup.Group
	g.SetLimit(k)
	res := make([]int, len(xs))
	for i, x := range xs {
		g.Go(func() error {
			v, err := double(x)
			res[i] = v
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	sum := 0
	for _, v := range res {
		sum += v
	}
	return sum, nil
}

// BenchmarkPerIteration runs 10,000 items of next to no work in the
// parallel loop and in the hand-written loops, with 1 and 2 workers,
// interleaved: the metrics are nanoseconds per iteration, what each loop
// costs beyond the work.
func BenchmarkPerIteration(b *testing.B) {
	xs := make([]int, sumItems)
	for i := range xs {
		xs[i] = i
	}
	wantSum := sumItems * (sumItems - 1)
	check := func(s int, err error) {
		if s != wantSum || err != nil {
			b.Fatalf("sum %d, %v; want %d", s, err, wantSum)
		}
	}
	one, two := pools(b)
	interleave(b, "ns/iter", sumItems, []variant{
		{"sequential", nil, func() {
			s := 0
			for _, x := range xs {
				v, _ := double(x)
				s += v
			}
			check(s, nil)
		}},
		{"parallel1", one, func() { check(ParallelSum(xs)) }},
		{"parallel2", two, func() { check(ParallelSum(xs)) }},
		{"errgroup1", nil, func() { check(errgroupSum(1, xs)) }},
		{"errgroup2", nil, func() { check(errgroupSum(2, xs)) }},
		{"waitgroup1", nil, func() { check(handSum(1, xs)) }},
		{"waitgroup2", nil, func() { check(handSum(2, xs)) }},
	})
}

// handBurn is ParallelBurn hand-written with a WaitGroup, a goroutine per
// item, k at a time, combined in order afterwards.
func handBurn(k, n, rounds int) uint64 {
	res := make([]uint64, n)
	sem := make(chan struct{}, k)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			res[i] = burn(uint64(i), rounds)
		}()
	}
	wg.Wait()
	var acc uint64
	for _, v := range res {
		acc = acc*31 + v
	}
	return acc
}

// BenchmarkPerIterationSmallWork runs 2,000 items of a few microseconds of
// CPU each, where the works do run on the workers: the CPU time per
// iteration beyond the sequential loop's is what the coordination costs,
// whatever the machine's load does to the wall time.
func BenchmarkPerIterationSmallWork(b *testing.B) {
	const n, rounds = 2000, 2000
	one, two := pools(b)
	interleave(b, "ns/iter", n, []variant{
		{"sequential", nil, func() { sink += seqBurn(n, rounds) }},
		{"parallel1", one, func() { sink += ParallelBurn(n, rounds) }},
		{"parallel2", two, func() { sink += ParallelBurn(n, rounds) }},
		{"errgroup1", nil, func() { sink += errgroupBurn(1, n, rounds) }},
		{"errgroup2", nil, func() { sink += errgroupBurn(2, n, rounds) }},
		{"waitgroup1", nil, func() { sink += handBurn(1, n, rounds) }},
		{"waitgroup2", nil, func() { sink += handBurn(2, n, rounds) }},
	})
}
