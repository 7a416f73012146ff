// Package nilparam holds kernels of nilParamFields (nilparamfield.go): a
// channel field set only from a constructor's parameter, which the
// package passes as nil, used by a plain send or receive without a nil
// test, with the fixed shapes and look-alikes beside.
package nilparam

import "context"

// --- A router built with a nil listener (OffchainLabs/nitro#1972). ---

type router struct {
	msgs    chan int
	forward chan int
}

type clients struct {
	primary, secondary *router
}

func newClients(listener chan int) *clients {
	mk := func() *router {
		return &router{msgs: make(chan int, 8), forward: listener}
	}
	return &clients{primary: mk(), secondary: mk()}
}

func (c *clients) Feed(v int) { c.primary.msgs <- v }

func (c *clients) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case v := <-c.primary.msgs:
			c.primary.forward <- v // want `this send on field forward of router blocks forever in the object built by the call at line \d+: the field is set only from parameter listener of newClients`
		}
	}
}

func startNode(ctx context.Context) *clients {
	c := newClients(nil)
	go c.Run(ctx)
	return c
}

// --- A receive from the nil field, set directly by the constructor. ---

type waiter struct {
	ready chan struct{}
	name  string
}

func newWaiter(name string, ready chan struct{}) *waiter {
	return &waiter{name: name, ready: ready}
}

func (w *waiter) Wait() string {
	<-w.ready // want `this receive from field ready of waiter blocks forever in the object built by the call at line \d+`
	return w.name
}

func defaultWaiter() *waiter { return newWaiter("default", nil) }

// --- The fixed shape: the send is guarded by a nil test. ---

type routerFixed struct {
	msgs    chan int
	forward chan int
}

func newRouterFixed(listener chan int) *routerFixed {
	return &routerFixed{msgs: make(chan int, 8), forward: listener}
}

func (r *routerFixed) Feed(v int) { r.msgs <- v }

func (r *routerFixed) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case v := <-r.msgs:
			if r.forward != nil {
				r.forward <- v
			}
		}
	}
}

func startFixed(ctx context.Context) { go newRouterFixed(nil).Run(ctx) }

// --- Look-alikes. ---

// Every caller passes a channel.
type always struct{ out chan int }

func newAlways(out chan int) *always { return &always{out: out} }

func (a *always) Put(v int) { a.out <- v }

func useAlways() *always { return newAlways(make(chan int, 1)) }

// The field is also given a channel by another method (a hook set later).
type hooked struct{ out chan int }

func newHooked(out chan int) *hooked { return &hooked{out: out} }

func (h *hooked) SetOut(c chan int) { h.out = make(chan int, 1) }

func (h *hooked) Put(v int) { h.out <- v }

func useHooked() *hooked { return newHooked(nil) }

// A select case on the nil field: a disabled case, the idiom.
type optional struct {
	events chan int
	quit   chan struct{}
}

func newOptional(events chan int) *optional {
	return &optional{events: events, quit: make(chan struct{})}
}

func (o *optional) Loop() {
	for {
		select {
		case <-o.events:
		case <-o.quit:
			return
		}
	}
}

func (o *optional) Stop() { close(o.quit) }

func useOptional() { go newOptional(nil).Loop() }

// Another method tests the field for nil: the package knows it may be
// unset.
type tested struct{ out chan int }

func newTested(out chan int) *tested { return &tested{out: out} }

func (t *tested) Enabled() bool { return t.out != nil }

func (t *tested) Put(v int) { t.out <- v }

func useTested() *tested { return newTested(nil) }

// A local shadowing the field's name: the constructor stores a channel it
// makes, not the parameter.
type shadowed struct{ out chan int }

func newShadowed(out chan int) *shadowed {
	if out == nil {
		out := make(chan int, 1)
		return &shadowed{out: out}
	}
	return &shadowed{out: out}
}

func (s *shadowed) Put(v int) { s.out <- v }

func useShadowed() *shadowed { return newShadowed(nil) }

// Two constructors fill the field from different parameters.
type twoWays struct{ out chan int }

func newTwoWays(out chan int) *twoWays { return &twoWays{out: out} }

func newTwoWaysBuffered(n int, out chan int) *twoWays {
	t := &twoWays{}
	t.out = out
	return t
}

func (t *twoWays) Put(v int) { t.out <- v }

func useTwoWays() *twoWays { return newTwoWaysBuffered(1, nil) }
