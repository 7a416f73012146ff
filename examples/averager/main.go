// Command averager is the seeds' averager/grouper program (Fluent Python
// ch.16): a delegating generator, grouper, drives a sub-generator, averager,
// with yield from; the client sends the data through grouper and a nil (Python's
// None) ends each group.
//
// Its output matches CPython's for testdata/coroaverager.py byte for byte.
package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Result is what averager returns: how many terms it got and their mean.
type Result struct {
	Count   int
	Average float64
}

// averager receives terms and returns their count and mean when sent nil.
//
//asyncgo:generator
func averager() *coro.Generator[struct{}, *float64, Result] {
	return coro.New(func(co *coro.Co[struct{}, *float64]) Result {
		var total, average float64
		count := 0
		for {
			term := co.Yield(struct{}{})
			if term == nil {
				break
			}
			total += *term
			count++
			average = total / float64(count)
		}
		return Result{count, average}
	})
}

// grouper delegates to a new averager for each run of terms and stores
// each averager's result under key.
//
//asyncgo:generator
func grouper(results map[string]Result, key string) *coro.Generator[struct{}, *float64, struct{}] {
	return coro.New(func(co *coro.Co[struct{}, *float64]) struct{} {
		for {
			results[key] = coro.YieldFrom(co, averager())
		}
	})
}

type series struct {
	key    string
	values []float64
}

var data = []series{
	{"girls;kg", []float64{40.9, 38.5, 44.3, 42.2, 45.2, 41.7, 44.5, 38.0, 40.6, 44.5}},
	{"girls;m", []float64{1.6, 1.51, 1.4, 1.3, 1.41, 1.39, 1.33, 1.46, 1.45, 1.43}},
	{"boys;kg", []float64{39.0, 40.8, 43.2, 40.8, 43.1, 38.6, 41.4, 40.6, 36.3}},
	{"boys;m", []float64{1.38, 1.5, 1.32, 1.25, 1.37, 1.48, 1.25, 1.49, 1.46}},
}

func run(w io.Writer) error {
	results := map[string]Result{}
	for _, s := range data {
		group, err := coro.Prime(grouper(results, s.key))
		if err != nil {
			return err
		}
		for _, v := range s.values {
			if _, err := group.Send(&v); err != nil {
				return err
			}
		}
		if _, err := group.Send(nil); err != nil {
			return err
		}
		if err := group.Close(); err != nil {
			return err
		}
	}
	report(w, results)
	return nil
}

func report(w io.Writer, results map[string]Result) {
	for _, key := range slices.Sorted(maps.Keys(results)) {
		group, unit, _ := strings.Cut(key, ";")
		r := results[key]
		fmt.Fprintf(w, "%2d %-5s averaging %.2f%s\n", r.Count, group, r.Average, unit)
	}
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "averager:", err)
		os.Exit(1)
	}
}
