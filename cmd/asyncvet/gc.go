package main

import (
	"os"
	"runtime/debug"
)

// gcPercent is the collector's target for a vet unit: go vet starts the
// tool once per package, each run lives a few seconds and builds the
// package's syntax, types and SSA once, so most of what the default
// collector (GOGC=100) does is trace a heap that only grows. At 400 the
// suite's CPU on std drops by about a fifth (docs/analyzers.md, session
// 23, cost).
const gcPercent = 400

// memLimit caps what the larger target may cost: near it the collector
// works as hard as it must to stay under, whatever gcPercent says.
const memLimit = 2 << 30

// tuneGC sets the collector for a vet unit, unless the user set GOGC or
// GOMEMLIMIT, which then rule as usual.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memLimit)
	}
}
