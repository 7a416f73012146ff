//go:build asyncgo_direct

// Package parallel benchmarks the //asyncgo:parallel loop, lowered by
// asyncgo rewrite (loops_asyncgo.go is generated: run `go generate` after
// changing loops.go), against the same loop run sequentially and against
// hand-written errgroup-style loops: CPU-bound work with 1 and 2 workers,
// and the cost per iteration of trivial work.
package parallel

//go:generate go run ../../cmd/asyncgo rewrite -w .

// burn is CPU work: rounds of an xorshift generator (a fixed amount of
// work whatever the machine's load, unlike a spin for a duration).
func burn(seed uint64, rounds int) uint64 {
	x := seed | 1
	for range rounds {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// ParallelBurn runs burn for each of n items in a parallel loop and
// combines the results in order.
func ParallelBurn(n, rounds int) uint64 {
	var acc uint64
	//asyncgo:parallel
	for i := range n {
		v := burn(uint64(i), rounds)
		acc = acc*31 + v
	}
	return acc
}

// ParallelSum is a parallel loop over a slice whose work is next to
// nothing: it measures what the loop costs per iteration.
func ParallelSum(xs []int) (int, error) {
	sum := 0
	//asyncgo:parallel
	for _, x := range xs {
		v, err := double(x)
		if err != nil {
			return 0, err
		}
		sum += v
	}
	return sum, nil
}

func double(x int) (int, error) { return 2 * x, nil }
