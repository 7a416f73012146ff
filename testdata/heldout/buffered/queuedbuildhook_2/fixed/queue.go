// Package fixed is the fixed version of buffered/queuedbuildhook_2: the
// dispatcher offers work in a select case and keeps the rest pending.
package fixed

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
		q.queueCompleted <- Result{Req: req, Err: err}
	}
}

// run is the dispatcher's loop.
func (q *queue) run() {
	inFlight := 0
	var pending []Request
	for {
		var out chan Request
		var head Request
		if len(pending) > 0 {
			out = q.workerRequests
			head = pending[0]
		}
		select {
		case req := <-q.incoming:
			inFlight++
			pending = append(pending, req)
		case out <- head:
			pending = pending[1:]
		case res := <-q.queueCompleted:
			inFlight--
			q.onDone(res)
		}
	}
}
