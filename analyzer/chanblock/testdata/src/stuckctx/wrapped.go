package stuckctx

import "context"

// context.WithValue's Done is its parent's; context.WithoutCancel's is
// nil (never canceled, whatever its parent does).

type traceKey struct{}

func drain(ctx context.Context, in chan string, seen *[]string) {
	for {
		select { // want `this select can block forever`
		case <-ctx.Done():
			return
		case s := <-in:
			*seen = append(*seen, s)
		}
	}
}

// Traced tags a Background context with a value: still never canceled,
// and the drain goroutine waits forever once Traced returns.
func Traced(seen *[]string) {
	ctx := context.WithValue(context.Background(), traceKey{}, "t1")
	in := make(chan string)
	go drain(ctx, in, seen)
	in <- "a"
}

func drainDetached(ctx context.Context, in chan string, seen *[]string) {
	for {
		select { // want `this select can block forever`
		case <-ctx.Done():
			return
		case s := <-in:
			*seen = append(*seen, s)
		}
	}
}

// Detached hands the drain goroutine a context detached from its
// caller's cancellation: nothing ends it.
func Detached(parent context.Context, seen *[]string) {
	in := make(chan string)
	go drainDetached(context.WithoutCancel(parent), in, seen)
	in <- "a"
}

func drainTraced(ctx context.Context, in chan string, seen *[]string) {
	for {
		select {
		case <-ctx.Done():
			return
		case s := <-in:
			*seen = append(*seen, s)
		}
	}
}

// TracedCanceled derives a cancelable context from the tagged one and
// cancels it on return: the goroutine leaves.
func TracedCanceled(seen *[]string) {
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), traceKey{}, "t2"))
	defer cancel()
	in := make(chan string)
	go drainTraced(ctx, in, seen)
	in <- "a"
}

func drainCaller(ctx context.Context, in chan string, seen *[]string) {
	for {
		select {
		case <-ctx.Done():
			return
		case s := <-in:
			*seen = append(*seen, s)
		}
	}
}

// TracedCaller tags its caller's context, which the caller may cancel:
// the goroutine's wait is the caller's to end.
func TracedCaller(parent context.Context, seen *[]string) {
	ctx := context.WithValue(parent, traceKey{}, "t3")
	in := make(chan string)
	go drainCaller(ctx, in, seen)
	select {
	case in <- "a":
	case <-ctx.Done():
	}
}
