// Package bug is a held-out kernel (issue 14): a dispatcher's send into the
// workers' bounded request channel while the workers wait to report to the
// dispatcher.
//
// Upstream: nix-community/queued-build-hook#2 ("Fix deadlock when worker channel buffer fills up")
// Round: 2
//
// Bug: with -concurrency, the main select loop hands every queued path to
// the workers through the buffered workerRequests channel. When that
// buffer is full the loop blocks on the send and stops receiving on
// queueCompleted; the workers block sending their results on
// queueCompleted, so nobody drains workerRequests (both queue processes
// hang, per the PR).
//
// Fix: the loop keeps pending requests in a slice and offers the head in
// a select case that is nil while there is nothing to send.
package bug

// Request is one build output to upload.
type Request struct {
	Paths []string
}

// Result is a worker's report.
type Result struct {
	Req Request
	Err error
}

type queue struct {
	incoming       chan Request
	workerRequests chan Request
	queueCompleted chan Result
	onDone         func(Result)
}

func newQueue(concurrency int, upload func(Request) error, onDone func(Result)) *queue {
	q := &queue{
		incoming:       make(chan Request),
		workerRequests: make(chan Request, 64),
		queueCompleted: make(chan Result),
		onDone:         onDone,
	}
	for i := 0; i < concurrency; i++ {
		go q.worker(upload)
	}
	return q
}

func (q *queue) worker(upload func(Request) error) {
	for req := range q.workerRequests {
		err := upload(req)
		q.queueCompleted <- Result{Req: req, Err: err} // heldout:site
	}
}

// run is the dispatcher's loop.
func (q *queue) run() {
	inFlight := 0
	for {
		select {
		case req := <-q.incoming:
			inFlight++
			q.workerRequests <- req // heldout:site
		case res := <-q.queueCompleted:
			inFlight--
			q.onDone(res)
		}
	}
}
