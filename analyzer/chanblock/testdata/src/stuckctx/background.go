package stuckctx

import "context"

// context.Background() and TODO() are never canceled: their Done
// channel is nil, and a receive from it never fires. A worker handed one
// leaves only by its other cases.

func consume(ctx context.Context, jobs chan int, sum *int) {
	for {
		select { // want `this select can block forever`
		case <-ctx.Done():
			return
		case j := <-jobs:
			*sum += j
		}
	}
}

// SumTwo hands the worker two jobs and returns: nothing closes jobs and
// the Background context never ends, so the worker waits forever.
func SumTwo(sum *int) {
	jobs := make(chan int)
	go consume(context.Background(), jobs, sum)
	jobs <- 1
	jobs <- 2
}

func consumeTODO(ctx context.Context, jobs chan int, sum *int) {
	for {
		select { // want `this select can block forever`
		case <-ctx.Done():
			return
		case j := <-jobs:
			*sum += j
		}
	}
}

// SumTODO is SumTwo with context.TODO() kept in a variable first.
func SumTODO(sum *int) {
	ctx := context.TODO()
	jobs := make(chan int)
	go consumeTODO(ctx, jobs, sum)
	jobs <- 1
}

func consumeCanceled(ctx context.Context, jobs chan int, sum *int) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-jobs:
			*sum += j
		}
	}
}

// SumCanceled derives a context it cancels when it returns: the worker
// leaves by its Done case.
func SumCanceled(sum *int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	jobs := make(chan int)
	go consumeCanceled(ctx, jobs, sum)
	jobs <- 1
}

func consumeClosed(ctx context.Context, jobs chan int, sum *int) {
	for {
		select {
		case <-ctx.Done():
			return
		case j, ok := <-jobs:
			if !ok {
				return
			}
			*sum += j
		}
	}
}

// SumClosed closes jobs after the last one: the worker leaves.
func SumClosed(sum *int) {
	jobs := make(chan int)
	go consumeClosed(context.Background(), jobs, sum)
	jobs <- 1
	close(jobs)
}

func consumeCaller(ctx context.Context, jobs chan int, sum *int) {
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-jobs:
			*sum += j
		}
	}
}

// SumCaller hands on its caller's context, which the caller may cancel
// at any time: the worker's wait is the caller's to end, and the send
// gives up when the context ends too.
func SumCaller(ctx context.Context, sum *int) {
	jobs := make(chan int)
	go consumeCaller(ctx, jobs, sum)
	select {
	case jobs <- 1:
	case <-ctx.Done():
	}
}

// Announce waits for a Background context to end before closing ready:
// it never does, and the waiter on ready waits forever.
func Announce() {
	ready := make(chan struct{})
	ctx := context.Background()
	go func() {
		<-ctx.Done()
		close(ready)
	}()
	go func() {
		<-ready // want `this receive can block forever`
	}()
}

// AnnounceCanceled cancels its context before returning: ready closes.
func AnnounceCanceled() {
	ready := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-ctx.Done()
		close(ready)
	}()
	go func() {
		<-ready
	}()
	cancel()
}
