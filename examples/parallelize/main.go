// Command parallelize ports python-parallelize, which the seeds cite: its
// parallelize generator spreads a for loop over the CPUs,
//
//	for i in parallelize(range(100)):
//	    print(os.getpid(), i)
//
// Here //asyncgo:parallel on a for range loop runs each iteration's work
// (the body's first statement) on the parallel executor, at most as many
// at once as it has workers, and the rest of the body in iteration order,
// so the output is the sequential loop's (python-parallelize's processes
// print in any order; the pid is left out for the same reason). The
// first error stops the loop: the body breaks, and the work not started
// is cancelled.
//
// testdata/parallelize.py computes the same with CPython's
// multiprocessing.Pool.imap, which python-parallelize builds on; the
// outputs match line for line.
package main

import (
	"fmt"
	"io"
	"log"
	"os"
	"sort"
	"strconv"
)

// collatz counts the steps from n down to 1: a little CPU work per item.
func collatz(n int) int {
	steps := 0
	for ; n != 1; steps++ {
		if n%2 == 0 {
			n /= 2
		} else {
			n = 3*n + 1
		}
	}
	return steps
}

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer) error {
	// The quick start: range(100), each item's work on a worker.
	longest, at := 0, 0
	//asyncgo:parallel
	for i := range 100 {
		steps := collatz(i + 1)
		fmt.Fprintf(w, "%d: %d steps\n", i, steps)
		if steps > longest {
			longest, at = steps, i
		}
	}
	fmt.Fprintf(w, "longest: %d steps, from %d\n", longest, at+1)

	// The first error stops the loop where it happens, in iteration order.
	sum, err := total([]string{"10", "20", "x30", "40", "5o"})
	fmt.Fprintf(w, "sum %d, error: %v\n", sum, err)
	sum, err = total([]string{"1", "2", "3"})
	fmt.Fprintf(w, "sum %d, error: %v\n", sum, err)

	// A map: Go's order of visit is unspecified, so the results are sorted.
	stock := map[string]int{"apples": 3, "pears": 14, "plums": 27}
	var lines []string
	//asyncgo:parallel
	for fruit, n := range stock {
		steps := collatz(n)
		lines = append(lines, fmt.Sprintf("%s: %d -> %d steps", fruit, n, steps))
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}

	// A channel: values in the order received, until it is closed.
	ch := make(chan int)
	go func() {
		for _, n := range []int{97, 871, 6171} {
			ch <- n
		}
		close(ch)
	}()
	//asyncgo:parallel
	for n := range ch {
		steps := collatz(n)
		fmt.Fprintf(w, "from the channel: %d -> %d steps\n", n, steps)
	}
	return nil
}

// total adds the numbers in items, stopping at the first that does not
// parse.
func total(items []string) (sum int, err error) {
	//asyncgo:parallel
	for i, s := range items {
		n, perr := strconv.Atoi(s)
		if perr != nil {
			err = fmt.Errorf("item %d: %w", i, perr)
			break
		}
		sum += n
	}
	return sum, err
}
