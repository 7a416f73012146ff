// Package futures benchmarks runtime/futures against the alternatives on
// the same work: a trivial task submitted and its result read, per task,
// on a ThreadPool, with raw goroutines and a WaitGroup, with errgroup, and
// (threadpool.py) with CPython's ThreadPoolExecutor; a ProcessPool's
// round trip per task, alone and in Map chunks; and (BenchmarkExecutors)
// ThreadPool, ProcessPool and cluster.Pool (embedded NATS, 1 and 2 worker
// processes) side by side on tiny and 1 ms CPU tasks, throughput and
// latency (see docs/cluster.md).
//
//	go test -bench . -count 3 ./bench/futures
//	python3 bench/futures/threadpool.py
//
// `make bench` runs both and writes docs/benchmarks.md.
package futures
