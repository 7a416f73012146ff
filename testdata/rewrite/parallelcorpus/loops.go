package main

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var errNegative = errors.New("negative")

func square(x int) (int, error) {
	if x < 0 {
		return 0, fmt.Errorf("square(%d): %w", x, errNegative)
	}
	// Later items finish first: the order must still be the loop's.
	time.Sleep(time.Duration(10-x%10) * 100 * time.Microsecond)
	return x * x, nil
}

// squares returns at the first error, from inside the loop.
func squares(xs []int) ([]int, error) {
	out := make([]int, len(xs))
	//asyncgo:parallel
	for i, x := range xs {
		v, err := square(x)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// firstError records the error and breaks: the designed error exit when
// the function goes on after the loop.
func firstError(xs []int) (sum int, err error) {
	//asyncgo:parallel
	for _, x := range xs {
		v, werr := square(x)
		if werr != nil {
			err = werr
			break
		}
		sum += v
	}
	return sum, err
}

var _ = register("slice", func(t *trace) {
	t.log("%v", fmt.Sprint(squares([]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})))
	t.log("%v", fmt.Sprint(squares([]int{1, 2, -3, 4, -5})))
	t.log("%v", fmt.Sprint(squares(nil)))
	t.log("%v", fmt.Sprint(firstError([]int{3, 4, -1, 5})))
	t.log("%v", fmt.Sprint(firstError([]int{3, 4, 5})))
})

var _ = register("int", func(t *trace) {
	type small uint8
	var n small = 12
	var evens []small
	//asyncgo:parallel
	for i := range n {
		even := i%2 == 0
		if !even {
			continue
		}
		evens = append(evens, i)
	}
	t.log("evens %v", evens)
	total := 0
	//asyncgo:parallel
	for range 5 {
		one := 1
		total += one
	}
	t.log("total %d", total)
})

var _ = register("map", func(t *trace) {
	m := map[string]int{"a": 1, "b": 2, "c": 3, "d": 4}
	var lines []string
	//asyncgo:parallel
	for k, v := range m {
		s := strconv.Itoa(v * 100)
		lines = append(lines, k+"="+s)
	}
	sort.Strings(lines)
	t.log("%v", lines)
})

var _ = register("chan", func(t *trace) {
	ch := make(chan int)
	go func() {
		for i := range 20 {
			ch <- i
		}
		close(ch)
	}()
	var got []string
	//asyncgo:parallel
	for x := range ch {
		s, err := square(x)
		if err != nil {
			got = append(got, err.Error())
			continue
		}
		got = append(got, fmt.Sprint(x, ":", s))
	}
	t.log("%v", got)
})

// Jumps out of the body: labelled continue and break of an outer loop,
// goto, and a defer in the body, which runs when the function returns.
func jumps(t *trace) (r string) {
	defer func() { t.log("returning %q", r) }()
outer:
	for round := range 3 {
		//asyncgo:parallel
		for i, w := range []string{"a", "bb", "ccc", "dddd"} {
			n := len(w) * (round + 1)
			if n == 2 {
				continue outer
			}
			if n == 9 {
				break outer
			}
			if i == 3 {
				goto done
			}
			defer t.log("deferred round %d item %d n %d", round, i, n)
		}
	}
	return "fell through"
done:
	return "goto"
}

var _ = register("jumps", func(t *trace) { t.log("%s", jumps(t)) })

var _ = register("labelled", func(t *trace) {
	var got []int
	//asyncgo:parallel
rows:
	for i := range 4 {
		sq := i * i
		for j := range 3 {
			if j == 2 {
				continue rows
			}
			got = append(got, sq+j)
		}
	}
	t.log("%v", got)
})

// A panic in a work reaches the caller at its iteration, after the
// earlier bodies ran.
var _ = register("workpanic", func(t *trace) {
	defer func() { t.log("recovered %v", recover()) }()
	//asyncgo:parallel
	for i := range 10 {
		v := mustPositive(5 - i)
		t.log("body %d %d", i, v)
	}
})

func mustPositive(x int) int {
	if x <= 0 {
		panic(fmt.Sprint("not positive: ", x))
	}
	return x
}

var _ = register("bodypanic", func(t *trace) {
	defer func() { t.log("recovered %v", recover()) }()
	//asyncgo:parallel
	for i := range 100 {
		v := i * 2
		if v == 6 {
			panic("body at 3")
		}
		t.log("body %d", v)
	}
})

// Loops nested in the body and in the work; the work is a function
// literal called in place when it needs statements.
var _ = register("nested", func(t *trace) {
	grid := [][]int{{1, 2}, {3, 4, 5}, {6}}
	var sums []int
	//asyncgo:parallel
	for _, row := range grid {
		s := func() int {
			total := 0
			//asyncgo:parallel
			for _, x := range row {
				sq := x * x
				total += sq
			}
			return total
		}()
		sums = append(sums, s)
		//asyncgo:parallel
		for j := range len(row) {
			label := fmt.Sprint("row item ", j)
			t.log("%s of %d", label, s)
		}
	}
	t.log("%v", sums)
})

// Generic code and local types in scope.
func mapAll[T, U any](xs []T, f func(T) U) []U {
	var out []U
	//asyncgo:parallel
	for _, x := range xs {
		u := f(x)
		out = append(out, u)
	}
	return out
}

var _ = register("generic", func(t *trace) {
	type pair struct{ a, b int }
	ps := []pair{{1, 2}, {3, 4}}
	var out []pair
	//asyncgo:parallel
	for i, p := range ps {
		q := pair{p.b, p.a + i}
		out = append(out, q)
	}
	t.log("%v %v", out, mapAll([]string{"x", "yy"}, func(s string) int { return len(s) }))
})

// What the body may do: goroutines capturing the loop's variables, locks
// in the work, writes to its own variables.
var _ = register("effects", func(t *trace) {
	var mu sync.Mutex
	var seen atomic.Int64
	order := ""
	var wg sync.WaitGroup
	results := make([]string, 6)
	//asyncgo:parallel
	for i, s := range []string{"a", "b", "c", "d", "e", "f"} {
		up := func() string {
			mu.Lock()
			defer mu.Unlock()
			seen.Add(1)
			return s + s
		}()
		up += "!"
		order += s
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = fmt.Sprint(i, up)
		}()
	}
	wg.Wait()
	t.log("%v seen %d order %s", results, seen.Load(), order)
	t.log("%v", slices.Index(results, "2cc!"))
})

// goto out of the body, at the third item.
func gotoOut(t *trace) string {
	//asyncgo:parallel
	for i, w := range []string{"a", "b", "c", "d"} {
		up := strings.ToUpper(w)
		if i == 2 {
			goto found
		}
		t.log("passed %s", up)
	}
	return "not found"
found:
	return "found"
}

var _ = register("goto", func(t *trace) { t.log("%s", gotoOut(t)) })

// A result named like the loop's value: the body's x is the parsed one.
var _ = register("shadow", func(t *trace) {
	var got []int
	//asyncgo:parallel
	for i, x := range []string{"4", "5", "six"} {
		x, err := strconv.Atoi(x)
		if err != nil {
			t.log("item %d: %v", i, err)
			continue
		}
		got = append(got, x*x)
	}
	t.log("%v", got)
})

type (
	ints []int
	feed chan string
)

// Named slice and channel types, and a map's value used after the work.
var _ = register("named", func(t *trace) {
	var out []string
	//asyncgo:parallel
	for i, x := range (ints{3, 1, 2}) {
		d := x * 10
		out = append(out, fmt.Sprint(i, ":", d, "/", x))
	}
	f := make(feed, 3)
	f <- "a"
	f <- "bb"
	close(f)
	//asyncgo:parallel
	for s := range f {
		n := len(s)
		out = append(out, fmt.Sprint(s, "=", n))
	}
	prices := map[string]float64{"tea": 2.5, "cake": 4}
	var lines []string
	//asyncgo:parallel
	for item, price := range prices {
		taxed := price * 1.2
		lines = append(lines, fmt.Sprintf("%s %.2f -> %.2f", item, price, taxed))
	}
	sort.Strings(lines)
	t.log("%v %v", out, lines)
})
