package real

import "context"

// juju/juju#21907 (apiremoterelationcaller): GetConnectionForModel puts a
// request carrying a new unbuffered response channel on the worker's
// queue and waits for the response or for its context; when the context
// is canceled after the request was queued, the worker's loop blocks
// forever on the response send, and with it every later request. Fix: a
// response channel with a buffer of one. (Per-call reply channel in a
// request struct handed to a server loop.)
type connRequest struct {
	model    string
	response chan int
}

type connWorker struct {
	requests chan *connRequest
}

func newConnWorker() *connWorker {
	w := &connWorker{requests: make(chan *connRequest)}
	go w.loop()
	return w
}

func (w *connWorker) loop() {
	for req := range w.requests {
		req.response <- len(req.model) // want `this send on an unbuffered channel \(field response\) has one receiver per instance, GetConnectionForModel, which makes the instance and waits in a select \(line \d+\) that can take another case and return \(line \d+\): the send for that instance then blocks forever`
	}
}

func (w *connWorker) GetConnectionForModel(ctx context.Context, model string) (int, error) {
	req := &connRequest{model: model, response: make(chan int)}
	select {
	case w.requests <- req:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	select {
	case conn := <-req.response:
		return conn, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

type connRequestFixed struct {
	model    string
	response chan int
}

type connWorkerFixed struct {
	requests chan *connRequestFixed
}

func newConnWorkerFixed() *connWorkerFixed {
	w := &connWorkerFixed{requests: make(chan *connRequestFixed)}
	go w.loop()
	return w
}

func (w *connWorkerFixed) loop() {
	for req := range w.requests {
		req.response <- len(req.model)
	}
}

func (w *connWorkerFixed) GetConnectionForModel(ctx context.Context, model string) (int, error) {
	req := &connRequestFixed{model: model, response: make(chan int, 1)}
	select {
	case w.requests <- req:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	select {
	case conn := <-req.response:
		return conn, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Look-alike: a caller that waits for its response without giving up.
type syncRequest struct {
	model    string
	response chan int
}

type syncWorker struct {
	requests chan *syncRequest
}

func (w *syncWorker) loop() {
	for req := range w.requests {
		req.response <- len(req.model)
	}
}

func (w *syncWorker) Get(model string) int {
	req := &syncRequest{model: model, response: make(chan int)}
	w.requests <- req
	return <-req.response
}

// Look-alike: the caller also gives up when the worker's closed channel
// is closed, but only the worker closes it, on its way out, after its
// last reply: no reply is pending then.
type closingRequest struct {
	model    string
	response chan int
}

type closingWorker struct {
	requests chan *closingRequest
	quit     chan struct{}
	closed   chan struct{}
}

func (w *closingWorker) loop() {
	defer w.shutdown()
	for {
		select {
		case req := <-w.requests:
			req.response <- len(req.model)
		case <-w.quit:
			return
		}
	}
}

func (w *closingWorker) shutdown() { close(w.closed) }

func (w *closingWorker) Get(model string) (int, bool) {
	req := &closingRequest{model: model, response: make(chan int)}
	select {
	case w.requests <- req:
	case <-w.closed:
		return 0, false
	}
	select {
	case n := <-req.response:
		return n, true
	case <-w.closed:
		return 0, false
	}
}
