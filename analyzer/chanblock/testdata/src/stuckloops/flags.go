package stuckloops

import (
	"context"
	"time"
)

// A loop on a flag the cases set (for !done { select { ... done = true
// } }) starts with the flag a constant and goes round only through the
// select: its way out follows an operation on the channel, as an event
// loop's does, whatever count the senders make.

type node interface {
	Process(ctx context.Context) (string, error)
}

// The receiver leaves by the context; the senders, one per node, block.
func visitAll(ctx context.Context, nodes []node) []string {
	names := make(chan string)
	for _, n := range nodes {
		go func() {
			name, err := n.Process(ctx)
			if err != nil {
				name = "?"
			}
			names <- name // want `this send can block forever`
		}()
	}
	var got []string
	done := false
	for !done {
		select {
		case <-ctx.Done():
			done = true
		case s := <-names:
			got = append(got, s)
		}
	}
	return got
}

// Fixed: the senders leave by the context too.
func visitAllFixed(ctx context.Context, nodes []node) []string {
	names := make(chan string)
	for _, n := range nodes {
		go func() {
			name, err := n.Process(ctx)
			if err != nil {
				name = "?"
			}
			select {
			case names <- name:
			case <-ctx.Done():
			}
		}()
	}
	var got []string
	done := false
	for !done {
		select {
		case <-ctx.Done():
			done = true
		case s := <-names:
			got = append(got, s)
		}
	}
	return got
}

// The same with a timer, the worker a named function, the flag positive.
func sample(n node, out chan<- string) {
	s, _ := n.Process(context.Background())
	out <- s // want `this send can block forever`
}

func sampleFor(nodes []node, d time.Duration) []string {
	out := make(chan string)
	for _, n := range nodes {
		go sample(n, out)
	}
	var got []string
	timer := time.After(d)
	waiting := true
	for waiting {
		select {
		case s := <-out:
			got = append(got, s)
		case <-timer:
			waiting = false
		}
	}
	return got
}

// Fixed: room for every sample.
func sampleForFixed(nodes []node, d time.Duration) []string {
	out := make(chan string, len(nodes))
	for _, n := range nodes {
		go sample2(n, out)
	}
	var got []string
	timer := time.After(d)
	waiting := true
	for waiting {
		select {
		case s := <-out:
			got = append(got, s)
		case <-timer:
			waiting = false
		}
	}
	return got
}

func sample2(n node, out chan<- string) {
	s, _ := n.Process(context.Background())
	out <- s
}

// Look-alike: the flag may be set before the loop (not a constant on
// entry): the loop may not run at all, and the senders' count must match
// nothing it can follow.
func visitMaybe(ctx context.Context, nodes []node, skip bool) []string {
	names := make(chan string)
	for _, n := range nodes {
		go func() {
			name, _ := n.Process(ctx)
			names <- name
		}()
	}
	var got []string
	done := skip
	for !done {
		select {
		case <-ctx.Done():
			done = true
		case s := <-names:
			got = append(got, s)
			done = len(got) == len(nodes)
		}
	}
	return got
}
