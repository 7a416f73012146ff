package real

import "errors"

// A client whose requests each carry a reply channel that the request
// loop answers once.
type replyReq struct {
	arg   int
	reply chan int
}

type replyClient struct {
	requests chan *replyReq
	quit     chan struct{}
}

func (c *replyClient) serve() {
	for {
		select {
		case rq := <-c.requests:
			rq.reply <- rq.arg * 2 // silent: one reply per request, into a channel with room
		case <-c.quit:
			return
		}
	}
}

// submit hands the request's reply channel to its caller, who may stop
// waiting; the channel's room keeps the loop from blocking.
func (c *replyClient) submit(arg int) <-chan int {
	rq := &replyReq{arg: arg, reply: make(chan int, 1)}
	c.requests <- rq
	return rq.reply
}

func (c *replyClient) Call(arg int) (int, error) {
	select {
	case v := <-c.submit(arg):
		return v, nil
	case <-c.quit:
		return 0, errors.New("closed")
	}
}

// The same client with unbuffered reply channels: the loop blocks on a
// requester that has stopped waiting.
type bareReq struct {
	arg   int
	reply chan int
}

type bareClient struct {
	requests chan *bareReq
	quit     chan struct{}
}

func (c *bareClient) serve() {
	for {
		select {
		case rq := <-c.requests:
			rq.reply <- rq.arg * 2 // want `the loop in serve stops when the case at line \d+ fires, but this send on field reply does not watch it; submit hands that channel to its caller`
		case <-c.quit:
			return
		}
	}
}

func (c *bareClient) submit(arg int) <-chan int {
	rq := &bareReq{arg: arg, reply: make(chan int)}
	c.requests <- rq
	return rq.reply
}

func (c *bareClient) Call(arg int) (int, error) {
	select {
	case v := <-c.submit(arg):
		return v, nil
	case <-c.quit:
		return 0, errors.New("closed")
	}
}

// A loop that keeps one reply channel and sends to it on every request:
// room for one value does not cover the second.
type sameReq struct{ reply chan int }

type sameClient struct {
	cur      *sameReq
	requests chan int
	quit     chan struct{}
}

func newSameClient() *sameClient {
	return &sameClient{cur: &sameReq{reply: make(chan int, 1)}, requests: make(chan int), quit: make(chan struct{})}
}

func (c *sameClient) serve() {
	for {
		select {
		case v := <-c.requests:
			c.cur.reply <- v // want `the loop in serve stops when the case at line \d+ fires, but this send on field reply does not watch it; replies hands that channel to its caller`
		case <-c.quit:
			return
		}
	}
}

func (c *sameClient) replies() <-chan int { return c.cur.reply }
