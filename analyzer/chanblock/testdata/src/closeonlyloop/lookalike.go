package closeonlyloop

import "context"

// Look-alikes: loops around a two-value receive on a channel nothing
// closes, that have another way out.

// Merge leaves its loop when both inputs are nil: its condition is a way
// out that is not the receive finding a channel closed.
func Merge(a, b chan int, produce func(chan<- int) error) (int, error) {
	total := make(chan int)
	go func() {
		sum := 0
		for a != nil || b != nil {
			select {
			case v, ok := <-a:
				if !ok {
					a = nil
					continue
				}
				sum += v
			case v, ok := <-b:
				if !ok {
					b = nil
					continue
				}
				sum += v
			}
		}
		total <- sum
	}()
	err := produce(a)
	a = nil
	return <-total, err
}

// Drain returns on the caller's context too.
func Drain(ctx context.Context, src func() (int, error)) error {
	vals := make(chan int)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case v, ok := <-vals:
				if !ok {
					return
				}
				_ = v
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		v, err := src()
		if err != nil {
			<-done
			return err
		}
		vals <- v
	}
}

// Forward's range body can return when the context is done.
func Forward(ctx context.Context, src func() (int, error), out chan<- int) error {
	in := make(chan int)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for v := range in {
			select {
			case out <- v:
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		v, err := src()
		if err != nil {
			<-done
			return err
		}
		in <- v
	}
}

// Stop leaves its two-value loop on a sentinel value too.
func Stop(src func() (int, error)) error {
	vals := make(chan int)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			v, ok := <-vals
			if !ok || v < 0 {
				return
			}
		}
	}()
	for {
		v, err := src()
		if err != nil {
			vals <- -1
			<-done
			return err
		}
		vals <- v
	}
}
