package real

import "sync"

// apache/pulsar-client-go#462 (PR #473, and #498/#499 for the same line):
// when a connection closed, its run goroutine drained the buffered request
// channel field with a range loop and closed the channel only after the
// loop, so the range could never end and the goroutine stayed forever. Fix:
// close the channel first, then drain what is buffered. (Private field
// class; the close is the ranging method's own.)
type pulsarConn struct {
	reqs chan string
}

func newPulsarConn() *pulsarConn { return &pulsarConn{reqs: make(chan string, 10)} }

func (c *pulsarConn) send(r string) { c.reqs <- r }

func (c *pulsarConn) failLeft() {
	for r := range c.reqs { // want `failLeft ranges over field reqs of pulsarConn, but the only close of it is failLeft's own, after the loop`
		_ = r
	}
	close(c.reqs)
}

type pulsarConnFixed struct {
	reqs chan string
}

func newPulsarConnFixed() *pulsarConnFixed { return &pulsarConnFixed{reqs: make(chan string, 10)} }

func (c *pulsarConnFixed) send(r string) { c.reqs <- r }

func (c *pulsarConnFixed) failLeft() {
	close(c.reqs)
	for r := range c.reqs {
		_ = r
	}
}

// The same shape on a local channel: workers send, the function ranges and
// closes after the loop (and in a defer).
func collectLocal(xs []int) int {
	ch := make(chan int)
	for _, x := range xs {
		go func() { ch <- x }()
	}
	n := 0
	for v := range ch { // want `collectLocal ranges over this channel, but the only close of it is collectLocal's own, after the loop`
		n += v
	}
	close(ch)
	return n
}

func collectDefer(xs []int) int {
	ch := make(chan int)
	defer close(ch)
	for _, x := range xs {
		go func() { ch <- x }()
	}
	n := 0
	for v := range ch { // want `collectDefer ranges over this channel, but the only close of it is collectDefer's own`
		n += v
	}
	return n
}

// Look-alikes: a WaitGroup goroutine closes after the senders are done; a
// close before the range on some path; a range that breaks out; a close by
// another goroutine besides the one after the loop.
func collectFixed(xs []int) int {
	ch := make(chan int)
	var wg sync.WaitGroup
	for _, x := range xs {
		wg.Add(1)
		go func() { defer wg.Done(); ch <- x }()
	}
	go func() { wg.Wait(); close(ch) }()
	n := 0
	for v := range ch {
		n += v
	}
	return n
}

func collectBreak(xs []int) int {
	ch := make(chan int)
	for _, x := range xs {
		go func() { ch <- x }()
	}
	n := 0
	for v := range ch { // want `this range loop can block forever`
		n += v
		if n >= len(xs) {
			break
		}
	}
	close(ch)
	return n
}

func collectEarly(xs []int, stop bool) int {
	ch := make(chan int, len(xs))
	for _, x := range xs {
		ch <- x
	}
	if stop {
		close(ch)
	}
	n := 0
	for v := range ch { // want `this range loop can block forever: nothing else sends or closes`
		n += v
	}
	if !stop {
		close(ch)
	}
	return n
}

type drainer struct {
	q chan int
}

func newDrainer() *drainer { return &drainer{q: make(chan int)} }

func (d *drainer) Stop() { close(d.q) }

func (d *drainer) run() {
	for v := range d.q {
		_ = v
	}
}

func (d *drainer) drainTwice(other *drainer) {
	for v := range d.q {
		_ = v
	}
	close(other.q)
}
