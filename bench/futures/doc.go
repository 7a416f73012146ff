// Package futures benchmarks runtime/futures against the alternatives on
// the same work: a trivial task submitted and its result read, per task,
// on a ThreadPool, with raw goroutines and a WaitGroup, with errgroup, and
// (threadpool.py) with CPython's ThreadPoolExecutor; and a ProcessPool's
// round trip per task, alone and in Map chunks.
//
//	go test -bench . -count 3 ./bench/futures
//	python3 bench/futures/threadpool.py
//
// `make bench` runs both and writes docs/benchmarks.md.
package futures
