package real

import (
	"bufio"
	"context"
	"errors"
	"io"
	"sync"
)

// A range over a channel field whose producer, called by the function that
// started the ranging goroutine, closes it on its success path only.

// Upstream: fiatjaf/nak#158 (the sync command ranged over the reconciler's
// delta channel in a goroutine and waited for it after running the
// reconciler, which closed the channel only when both sides agreed; every
// error return left the range, and the command, hanging). Fix: defer the
// close. Reduced in our own words.
type reconciler struct {
	Diffs chan string
	step  func(msg string) ([]string, bool, error)
}

func (r *reconciler) run(read func() (string, error)) error {
	for {
		msg, err := read()
		if err != nil {
			return err // the close below is skipped
		}
		diffs, done, err := r.step(msg)
		if err != nil {
			return errors.New("bad message")
		}
		for _, d := range diffs {
			r.Diffs <- d
		}
		if done {
			close(r.Diffs)
			return nil
		}
	}
}

func syncAll(r *reconciler, read func() (string, error), apply func(string)) error {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for d := range r.Diffs { // want `this range over field Diffs ends only when run closes it \(line \d+\), but run can return after sending without the close \(line \d+\)`
			apply(d)
		}
	}()
	err := r.run(read)
	wg.Wait()
	return err
}

type reconcilerFixed struct {
	Diffs chan string
	step  func(msg string) ([]string, bool, error)
}

func (r *reconcilerFixed) run(read func() (string, error)) error {
	defer close(r.Diffs)
	for {
		msg, err := read()
		if err != nil {
			return err
		}
		diffs, done, err := r.step(msg)
		if err != nil {
			return err
		}
		for _, d := range diffs {
			r.Diffs <- d
		}
		if done {
			return nil
		}
	}
}

func syncAllFixed(r *reconcilerFixed, read func() (string, error), apply func(string)) error {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for d := range r.Diffs {
			apply(d)
		}
	}()
	err := r.run(read)
	wg.Wait()
	return err
}

// A variant written differently (ours): the consumer is a method started
// by name, the wait is a done channel, and the producer leaves on a read
// error from inside a scanner loop.
type lineCopier struct {
	lines chan string
	done  chan struct{}
	w     io.Writer
}

func (c *lineCopier) printer() {
	defer close(c.done)
	for l := range c.lines { // want `this range over field lines ends only when scan closes it`
		_, _ = io.WriteString(c.w, l)
	}
}

func (c *lineCopier) scan(r io.Reader) error {
	br := bufio.NewReader(r)
	for {
		l, err := br.ReadString('\n')
		if err == io.EOF {
			close(c.lines)
			return nil
		}
		if err != nil {
			return err
		}
		c.lines <- l
	}
}

func copyLines(r io.Reader, w io.Writer) error {
	c := &lineCopier{lines: make(chan string), done: make(chan struct{}), w: w}
	go c.printer()
	err := c.scan(r)
	<-c.done
	return err
}

// Look-alike negatives (ours): the producer closes before every return;
// and a second function (a teardown) also closes the field, so the
// producer is not its only closer.
type chunker struct {
	parts chan []byte
}

func (c *chunker) split(b []byte, n int) error {
	if n <= 0 {
		close(c.parts)
		return errors.New("bad size")
	}
	for len(b) > n {
		c.parts <- b[:n]
		b = b[n:]
		if len(c.parts) > 64 {
			close(c.parts)
			return errors.New("backlog")
		}
	}
	c.parts <- b
	close(c.parts)
	return nil
}

func chunkAll(b []byte, n int, use func([]byte)) error {
	c := &chunker{parts: make(chan []byte, 128)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for p := range c.parts {
			use(p)
		}
	}()
	err := c.split(b, n)
	<-done
	return err
}

type feeder struct {
	items chan int
	src   func() (int, error)
}

func (f *feeder) fill() error {
	for {
		v, err := f.src()
		if err != nil {
			return err
		}
		if v < 0 {
			close(f.items)
			return nil
		}
		f.items <- v
	}
}

func (f *feeder) abort() { close(f.items) }

func feedAll(f *feeder, use func(int)) {
	go func() {
		for v := range f.items {
			use(v)
		}
	}()
	if err := f.fill(); err != nil {
		f.abort()
	}
}

func newReconciler(step func(string) ([]string, bool, error)) *reconciler {
	return &reconciler{Diffs: make(chan string), step: step}
}

func newReconcilerFixed(step func(string) ([]string, bool, error)) *reconcilerFixed {
	return &reconcilerFixed{Diffs: make(chan string), step: step}
}

func newFeeder(src func() (int, error)) *feeder {
	return &feeder{items: make(chan int), src: src}
}

// Another variant (ours): the consumer is a package function started with
// the field's channel as its argument, and the producer gives up when its
// context is canceled, skipping the close.
type exporter struct {
	events chan int
	next   func() (int, bool)
}

func newExporter(next func() (int, bool)) *exporter {
	return &exporter{events: make(chan int, 4), next: next}
}

func drainTo(sink func(int), in <-chan int, done chan<- struct{}) {
	for v := range in { // want `this range over field events ends only when export closes it`
		sink(v)
	}
	close(done)
}

func (e *exporter) export(ctx context.Context) error {
	for {
		v, ok := e.next()
		if !ok {
			close(e.events)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		e.events <- v
	}
}

func runExport(ctx context.Context, e *exporter, sink func(int)) error {
	done := make(chan struct{})
	go drainTo(sink, e.events, done)
	err := e.export(ctx)
	<-done
	return err
}
