package stuckharness

// Look-alike: an exported function (a test's set-up) stores a gate in an
// object of an unexported type that it got elsewhere, and hands the
// object to no one. Two Dial calls at once would leave one waiting on
// the gate, but no code outside the package can call Dial on this
// object, and the set-up lets exactly one through: no pair to run.
type gatedDialer struct {
	gate    chan struct{}
	waiting chan struct{}
}

// Dial waits at the gate when one is set.
func (d *gatedDialer) Dial() error {
	if d.gate != nil {
		d.waiting <- struct{}{}
		<-d.gate
	}
	return nil
}

var shared = &gatedDialer{}

func lookup() *gatedDialer { return shared }

type dialer interface{ Dial() error }

// SetUpGate lets one Dial through once its caller has seen it wait; the
// Dial runs behind an interface, as a library calls a driver.
func SetUpGate(use func(dialer)) {
	d := lookup()
	d.gate = make(chan struct{}, 1)
	d.waiting = make(chan struct{}, 1)
	go use(d)
	<-d.waiting
	d.gate <- struct{}{}
}

// gatedConn is the same gate handed out by an exported constructor:
// any two callers may Dial at once, and the second waits forever for
// the one token.
type gatedConn struct {
	gate chan struct{}
}

// NewGatedConn returns a connection whose gate lets one Dial through.
func NewGatedConn() *gatedConn {
	c := &gatedConn{gate: make(chan struct{}, 1)}
	c.gate <- struct{}{}
	return c
}

// Dial takes the one token.
func (c *gatedConn) Dial() error {
	<-c.gate // want `this receive can block forever`
	return nil
}
