// Package coro benchmarks runtime/coro's generators against the other ways
// Go can resume a suspended computation: iter.Pull, a goroutine and
// channel pair, and a hand-written state machine. generators.py measures
// CPython's generators on the same work; run it beside `go test -bench`,
// or run `make bench`, which runs both and writes docs/benchmarks.md.
package coro
