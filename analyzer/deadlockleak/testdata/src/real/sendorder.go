package real

import "errors"

// A producer goroutine feeds a stream and reports its error on a second
// unbuffered channel, sending the error before it closes the stream; the
// consumer's cleanup drains the stream to its close and only then reads
// the error. Each waits for the other.

// Upstream: ClickHouse/clickhouse-go#548. query started a goroutine that
// sent the blocks of a result on stream and, when reading failed, sent
// the error on errors, then closed errors and stream; rows.Close ranged
// over stream and then over errors. After a timeout both blocked. Fix:
// Close drains both channels in one select loop until both are closed.
type resultRows struct {
	errs   chan error
	blocks chan []int
}

func openRows(read func() ([]int, error)) *resultRows {
	errs := make(chan error)
	blocks := make(chan []int)
	go func() {
		for {
			b, err := read()
			if err != nil {
				errs <- err // want `this goroutine sends on field errs before it closes field blocks \(line \d+\), while Close waits on that channel until its close \(line \d+\) and only then receives from the first`
				break
			}
			if b == nil {
				break
			}
			blocks <- b
		}
		close(errs)
		close(blocks)
	}()
	return &resultRows{errs: errs, blocks: blocks}
}

func (r *resultRows) Close() error {
	for range r.blocks {
	}
	var last error
	for err := range r.errs {
		last = err
	}
	return last
}

// The fix: Close takes from both channels in one select.
type resultRowsFixed struct {
	errs   chan error
	blocks chan []int
}

func openRowsFixed(read func() ([]int, error)) *resultRowsFixed {
	errs := make(chan error)
	blocks := make(chan []int)
	go func() {
		for {
			b, err := read()
			if err != nil {
				errs <- err
				break
			}
			if b == nil {
				break
			}
			blocks <- b
		}
		close(errs)
		close(blocks)
	}()
	return &resultRowsFixed{errs: errs, blocks: blocks}
}

func (r *resultRowsFixed) Close() error {
	var last error
	errs, blocks := r.errs, r.blocks
	for errs != nil || blocks != nil {
		select {
		case _, ok := <-blocks:
			if !ok {
				blocks = nil
			}
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			last = err
		}
	}
	return last
}

// A variant: the constructor makes the channels into the fields and
// starts a method as the producer, which reaches them through its
// receiver; the consumer waits for the close with an explicit loop and
// takes the error with a plain receive.
type pageFeed struct {
	pages chan string
	fail  chan error
}

func newPageFeed(fetch func(int) (string, error)) *pageFeed {
	f := &pageFeed{pages: make(chan string), fail: make(chan error)}
	go f.produce(fetch)
	return f
}

func (f *pageFeed) produce(fetch func(int) (string, error)) {
	defer close(f.pages)
	for i := 0; ; i++ {
		p, err := fetch(i)
		if err != nil {
			f.fail <- err // want `this goroutine sends on field fail before it closes field pages \(line \d+\), while Drain waits on that channel`
			return
		}
		f.pages <- p
	}
}

func (f *pageFeed) Drain() error {
	for {
		if _, ok := <-f.pages; !ok {
			break
		}
	}
	return <-f.fail
}

// A look-alike: the producer closes the stream before it sends the
// error, so the drain ends and the error is taken.
type chunkFeed struct {
	chunks chan []byte
	errc   chan error
}

func newChunkFeed(next func() ([]byte, error)) *chunkFeed {
	f := &chunkFeed{chunks: make(chan []byte), errc: make(chan error)}
	go func() {
		var err error
		for {
			var c []byte
			if c, err = next(); err != nil || c == nil {
				break
			}
			f.chunks <- c
		}
		close(f.chunks)
		f.errc <- err
	}()
	return f
}

func (f *chunkFeed) Close() error {
	for range f.chunks {
	}
	return <-f.errc
}

// A look-alike: a goroutine of the package collects the errors, so the
// producer's send does not wait for the drain.
type logFeed struct {
	lines chan string
	errs  chan error
	last  error
	done  chan struct{}
}

func newLogFeed(next func() (string, error)) *logFeed {
	f := &logFeed{lines: make(chan string), errs: make(chan error), done: make(chan struct{})}
	go f.collect()
	go func() {
		for {
			l, err := next()
			if err != nil {
				f.errs <- err
				break
			}
			f.lines <- l
		}
		close(f.errs)
		close(f.lines)
	}()
	return f
}

func (f *logFeed) collect() {
	defer close(f.done)
	for err := range f.errs {
		f.last = err
	}
}

func (f *logFeed) Close() error {
	for range f.lines {
	}
	<-f.done
	if f.last != nil {
		return errors.Join(f.last)
	}
	return nil
}

// A variant: a done channel that only its close signals, closed by the
// worker's defer after it has sent its error; Wait takes the done signal
// first.
type copyTask struct {
	done chan struct{}
	errc chan error
}

func startCopy(copyAll func() error) *copyTask {
	t := &copyTask{done: make(chan struct{}), errc: make(chan error)}
	go func() {
		defer close(t.done)
		t.errc <- copyAll() // want `this goroutine sends on field errc before it closes field done \(line \d+\), while Wait waits on that channel until its close`
	}()
	return t
}

func (t *copyTask) Wait() error {
	<-t.done
	return <-t.errc
}

// A look-alike: the done channel also carries a value, sent before the
// error, so the first receive does not wait for the close.
type syncTask struct {
	ready chan bool
	fail  chan error
}

func startSync(run func() error) *syncTask {
	t := &syncTask{ready: make(chan bool), fail: make(chan error)}
	go func() {
		defer close(t.ready)
		t.ready <- true
		t.fail <- run()
	}()
	return t
}

func (t *syncTask) Wait() error {
	<-t.ready
	return <-t.fail
}

// A variant with no struct: the function that starts the worker waits
// for its done channel, then for its result, both local.
func runLocked(work func() error) error {
	done := make(chan struct{})
	res := make(chan error)
	go func() {
		defer close(done)
		res <- work() // want `this goroutine sends on the channel made at line \d+ before it closes the channel made at line \d+ \(line \d+\), while runLocked waits on that channel until its close`
	}()
	<-done
	return <-res
}

// A look-alike: the result first, then the done signal.
func runOrdered(work func() error) error {
	done := make(chan struct{})
	res := make(chan error)
	go func() {
		defer close(done)
		res <- work()
	}()
	err := <-res
	<-done
	return err
}
