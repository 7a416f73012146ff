package stuck

// A stream ended by a sentinel value instead of a close: the producer
// sends its items in a loop, then a constant the consumers test for. The
// checker does not follow values, so it gives up on such a channel.

type job struct{ id int }

func handleJob(j job) {}

// A zero struct ends the stream; the worker leaves on it.
func sentinelStruct(jobs []job) {
	ch := make(chan job)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for j := range ch {
			if j.id == 0 {
				return
			}
			handleJob(j)
		}
	}()
	for _, j := range jobs {
		ch <- j
	}
	ch <- job{}
	<-done
}

// A nil pointer ends the stream, sent by a helper; the worker loops on
// plain receives.
type feeder struct{}

func (feeder) feed(ch chan *job, jobs []*job) {
	for _, j := range jobs {
		ch <- j
	}
	ch <- nil
}

func sentinelNil(jobs []*job) {
	ch := make(chan *job, 1)
	go feeder{}.feed(ch, jobs)
	for {
		j := <-ch
		if j == nil {
			return
		}
		handleJob(*j)
	}
}

// A negative number ends the stream, sent from a select in the loop.
func sentinelSelect(xs []int, quit <-chan struct{}) int {
	ch := make(chan int)
	go func() {
		for _, x := range xs {
			select {
			case ch <- x:
			case <-quit:
			}
		}
		ch <- -1
	}()
	n := 0
	for v := range ch {
		if v < 0 {
			break
		}
		n += v
	}
	return n
}

// Look-alike: the worker leaves on a bad item, and no sentinel is sent:
// the producer's next send blocks forever.
func quitOnBad(jobs []job) {
	ch := make(chan job)
	go func() {
		for j := range ch {
			if j.id < 0 {
				return
			}
			handleJob(j)
		}
	}()
	for _, j := range jobs {
		ch <- j // want `this send can block forever: the goroutine running quitOnBad's function literal returns`
	}
	close(ch)
}

// Look-alike: a constant sent once, not after a loop of other sends, is
// no sentinel (first error wins; the losers' sends block).
func firstErrNil(xs []string) error {
	errc := make(chan error)
	for range xs {
		go func() {
			if _, err := fetch(); err != nil {
				errc <- err // want `this send can block forever: firstErrNil returns`
				return
			}
			errc <- nil // want `this send can block forever: firstErrNil returns`
		}()
	}
	for range xs {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}
