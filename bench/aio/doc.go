// Package aio benchmarks runtime/aio's event loop on the work that
// asyncio_bench.py measures in CPython's asyncio: creating and completing
// a task, switching tasks with Sleep(0), and the memory of many tasks
// suspended at once; and the same work with plain goroutines (Gosched,
// a goroutine started and waited for, goroutines blocked on a channel) as
// the Go baseline. Run the loop and asyncio side by side with
//
//	python3 bench/aio/asyncio_bench.py --go
//
// which runs these benchmarks too and prints the two columns and their
// ratio; `make bench` puts them on docs/benchmarks.md with the rest.
package aio
