// Package generic holds channel fields of generic types (session 25,
// closevar): in a method of a generic type the receiver's struct is an
// instance whose fields are copies of the declared ones, and a call from
// generic code runs an instance of the callee that go/ssa builds without
// a package; the field classes and the call resolution now see the
// declared field and the generic body.
package generic

// FanOut starts n consumers in a loop, each returning only after a value
// on f.stop. Stop sends one value: the other consumers wait forever.
type FanOut[T any] struct {
	in   chan T
	stop chan struct{}
}

func NewFanOut[T any](n int, handle func(T)) *FanOut[T] {
	f := &FanOut[T]{in: make(chan T), stop: make(chan struct{})}
	for i := 0; i < n; i++ {
		go f.consume(handle)
	}
	return f
}

func (f *FanOut[T]) consume(handle func(T)) {
	for {
		select {
		case v := <-f.in:
			handle(v)
		case <-f.stop:
			return
		}
	}
}

func (f *FanOut[T]) Stop() { f.stop <- struct{}{} } // want `one value is sent on field stop of FanOut, but 2 or more goroutines wait for it`

// FixedFanOut closes stop.
type FixedFanOut[T any] struct {
	in   chan T
	stop chan struct{}
}

func NewFixedFanOut[T any](n int, handle func(T)) *FixedFanOut[T] {
	f := &FixedFanOut[T]{in: make(chan T), stop: make(chan struct{})}
	for i := 0; i < n; i++ {
		go f.consume(handle)
	}
	return f
}

func (f *FixedFanOut[T]) consume(handle func(T)) {
	for {
		select {
		case v := <-f.in:
			handle(v)
		case <-f.stop:
			return
		}
	}
}

func (f *FixedFanOut[T]) Stop() { close(f.stop) }

// Relay is a look-alike: one forwarder goroutine per relay, one value on
// quit stops it.
type Relay[T any] struct {
	in, out chan T
	quit    chan struct{}
}

func NewRelay[T any]() *Relay[T] {
	r := &Relay[T]{in: make(chan T), out: make(chan T), quit: make(chan struct{})}
	go r.forward()
	return r
}

func (r *Relay[T]) forward() {
	for {
		select {
		case v := <-r.in:
			select {
			case r.out <- v:
			case <-r.quit:
				return
			}
		case <-r.quit:
			return
		}
	}
}

func (r *Relay[T]) Stop() { r.quit <- struct{}{} }
