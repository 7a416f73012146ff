package real

import (
	"context"
	"errors"
	"time"
)

// istio/istio#10822: the ADS handler reads an Envoy's requests through a
// goroutine that forwards each one on a channel with room for 1, and
// returns when a push fails. The reader, holding the next request with
// the slot taken, blocks on its send for ever. A constant buffer only
// delays a producer that sends without bound. Fix (istio#10998): the
// send selects on the stream's Done too.
type adsStream interface {
	Recv() (string, error)
	Context() context.Context
}

type adsConn struct {
	stream adsStream
	pushes chan string
}

func adsReceive(con *adsConn, reqs chan string, errp *error) {
	defer close(reqs)
	for {
		req, err := con.stream.Recv()
		if err != nil {
			*errp = err
			return
		}
		reqs <- req // want `this goroutine sends in a loop no count bounds on a channel with room for 1, and adsServe can return \(line \d+\) without receiving`
	}
}

func adsServe(con *adsConn, push func(string) error) error {
	var recvErr error
	reqs := make(chan string, 1)
	go adsReceive(con, reqs, &recvErr)
	for {
		select {
		case req, ok := <-reqs:
			if !ok {
				return recvErr
			}
			if err := push(req); err != nil {
				return err
			}
		case ev := <-con.pushes:
			if err := push(ev); err != nil {
				return nil
			}
		}
	}
}

func adsReceiveFixed(con *adsConn, reqs chan string, errp *error) {
	defer close(reqs)
	for {
		req, err := con.stream.Recv()
		if err != nil {
			*errp = err
			return
		}
		select {
		case reqs <- req:
		case <-con.stream.Context().Done():
			return
		}
	}
}

func adsServeFixed(con *adsConn, push func(string) error) error {
	var recvErr error
	reqs := make(chan string, 1)
	go adsReceiveFixed(con, reqs, &recvErr)
	for {
		select {
		case req, ok := <-reqs:
			if !ok {
				return recvErr
			}
			if err := push(req); err != nil {
				return err
			}
		case ev := <-con.pushes:
			if err := push(ev); err != nil {
				return nil
			}
		}
	}
}

// A variant: a closure tails a source into a channel with room for 8,
// and the consumer gives up on a timer.
type lineSource interface{ Next() (string, error) }

func tailFor(src lineSource, d time.Duration) (int, error) {
	lines := make(chan string, 8)
	go func() {
		defer close(lines)
		for {
			l, err := src.Next()
			if err != nil {
				return
			}
			lines <- l // want `this goroutine sends in a loop no count bounds on a channel with room for 8, and tailFor can return`
		}
	}()
	n := 0
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				return n, nil
			}
			n += len(l)
		case <-time.After(d):
			return n, errors.New("timeout")
		}
	}
}

// A variant: the send is in a helper the producer calls from its loop,
// and the consumer is a goroutine that leaves on a stop channel.
func forwardLine(out chan<- string, l string) {
	out <- l // want `this goroutine sends in a loop no count bounds on a channel with room for 16, and pipeLines\$1 can return`
}

func pumpLines(src lineSource, out chan<- string) {
	for {
		l, err := src.Next()
		if err != nil {
			return
		}
		forwardLine(out, l)
	}
}

func pipeLines(src lineSource, stop <-chan struct{}, sink func(string)) {
	ch := make(chan string, 16)
	go pumpLines(src, ch)
	go func() {
		for {
			select {
			case l := <-ch:
				sink(l)
			case <-stop:
				return
			}
		}
	}()
}

// Look-alike: the producer sends a count of values that the buffer
// holds; leaving early strands nothing.
func firstOfThreeLines(ctx context.Context, src lineSource) (string, error) {
	ch := make(chan string, 3)
	go func() {
		for i := 0; i < 3; i++ {
			l, _ := src.Next()
			ch <- l
		}
	}()
	select {
	case l := <-ch:
		return l, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Look-alike: a pool of workers started in a loop that take turns with the
// receiver (each sends, then waits for its turn again).
func pooled(n int, turn chan struct{}, stop *bool) {
	ready := make(chan int, 64)
	for i := 0; i < n; i++ {
		go func(g int) {
			for !*stop {
				ready <- g
				<-turn
			}
		}(i)
	}
	for i := 0; i < n; i++ {
		<-ready
	}
	select {
	case <-ready:
		panic("not asleep")
	default:
	}
}

// Look-alike: the producer's loop watches a done channel the consumer
// closes on its way out; the buffer is sized for what it sends meanwhile.
func pollWhileWaiting(get func() error, d time.Duration) error {
	errc := make(chan error, 100)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case <-done:
				return
			default:
				if err := get(); err != nil {
					errc <- err
				}
			}
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-time.After(d):
		return nil
	}
}
