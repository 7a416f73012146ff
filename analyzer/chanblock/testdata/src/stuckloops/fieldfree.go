package stuckloops

import (
	"bufio"
	"errors"
	"io"
	"strconv"
	"time"
)

// Free loops in the field harness (session 26): a client's loop (a
// scanner feeding the object) and a goroutine's loop (a reader) run 0 to
// 2 times there as in a local model; a client's call is not taken for
// stuck when a goroutine that could complete it left such a loop by a way
// the model does not track (the reader's end of input); an offer (a
// select with a default and only sends) does not drive the loop around
// it, nor does a channel another package hands the code.

// A client method handing the lines of its input to the object's checker,
// which returns at the first bad line: the rest of the feed waits for
// ever (the feed's loop runs as the input says: 0 to 2 lines here).
type Loader struct {
	lines chan string
	done  chan error
}

func NewLoader() *Loader {
	l := &Loader{lines: make(chan string), done: make(chan error, 1)}
	go l.check()
	return l
}

func (l *Loader) check() {
	for line := range l.lines {
		if _, err := strconv.Atoi(line); err != nil {
			l.done <- err
			return
		}
	}
	l.done <- nil
}

// Load hands every line of r to the checker and waits for its verdict.
func (l *Loader) Load(r io.Reader) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		l.lines <- sc.Text() // want `this send can block forever: check returns`
	}
	close(l.lines)
	return <-l.done
}

// Fixed twin: the checker keeps taking lines after a bad one.
type LoaderFixed struct {
	lines chan string
	done  chan error
}

func NewLoaderFixed() *LoaderFixed {
	l := &LoaderFixed{lines: make(chan string), done: make(chan error, 1)}
	go l.check()
	return l
}

func (l *LoaderFixed) check() {
	var err error
	for line := range l.lines {
		if _, e := strconv.Atoi(line); e != nil && err == nil {
			err = e
		}
	}
	l.done <- err
}

// Load hands every line of r to the checker and waits for its verdict.
func (l *LoaderFixed) Load(r io.Reader) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		l.lines <- sc.Text()
	}
	close(l.lines)
	return <-l.done
}

// The same over a channel another package hands the client (an interface
// method's result): its count is input, like a scanner's, and drives no
// loop of the harness.
type update struct {
	key string
	at  time.Time
}

type feed interface {
	Updates() <-chan update
}

// Indexer files a feed's keys on a goroutine of its own, which stops at
// the first key that is not a number.
type Indexer struct {
	keys chan string
	res  chan error
}

func NewIndexer() *Indexer {
	x := &Indexer{keys: make(chan string), res: make(chan error, 1)}
	go x.file()
	return x
}

func (x *Indexer) file() {
	for k := range x.keys {
		if _, err := strconv.Atoi(k); err != nil {
			x.res <- err
			return
		}
	}
	x.res <- nil
}

// Index files every update of f until the feed closes.
func (x *Indexer) Index(f feed) error {
	for u := range f.Updates() {
		x.keys <- u.key // want `this send can block forever: file returns`
	}
	close(x.keys)
	return <-x.res
}

// Fixed twin: the filer keeps taking keys after a bad one.
type IndexerFixed struct {
	keys chan string
	res  chan error
}

func NewIndexerFixed() *IndexerFixed {
	x := &IndexerFixed{keys: make(chan string), res: make(chan error, 1)}
	go x.file()
	return x
}

func (x *IndexerFixed) file() {
	var err error
	for k := range x.keys {
		if _, e := strconv.Atoi(k); e != nil && err == nil {
			err = e
		}
	}
	x.res <- err
}

// Index files every update of f until the feed closes.
func (x *IndexerFixed) Index(f feed) error {
	for u := range f.Updates() {
		x.keys <- u.key
	}
	close(x.keys)
	return <-x.res
}

// A link whose reader, started by Start, reports a peer's errors on a
// one-slot channel while it only offers data: a second error with nobody
// reading blocks the reader, and Close, which shuts the connection and
// waits for the reader to finish, waits for good.
type frame struct {
	fault string
	body  []byte
}

type framer interface {
	Next() (*frame, error)
	Close() error
}

type Link struct {
	conn   framer
	data   chan []byte
	faults chan error
	ended  chan struct{}
}

func NewLink(conn framer) *Link {
	return &Link{conn: conn, data: make(chan []byte, 1), faults: make(chan error, 1), ended: make(chan struct{})}
}

// Start starts the reader.
func (l *Link) Start() { go l.read() }

func (l *Link) read() {
	defer close(l.ended)
	for {
		f, err := l.conn.Next()
		if err != nil {
			return
		}
		if f.fault != "" {
			l.faults <- errors.New(f.fault) // want `this send can block forever: Recv leaves its select by another case`
			continue
		}
		select {
		case l.data <- f.body:
		default: // nobody waits: dropped
		}
	}
}

// Recv waits for the next body or fault.
func (l *Link) Recv() ([]byte, error) {
	select {
	case b := <-l.data:
		return b, nil
	case err := <-l.faults:
		return nil, err
	}
}

// Close shuts the connection and waits for the reader.
func (l *Link) Close() error {
	err := l.conn.Close()
	<-l.ended
	return err
}

// Fixed twin: faults are offered like data.
type LinkFixed struct {
	conn   framer
	data   chan []byte
	faults chan error
	ended  chan struct{}
}

func NewLinkFixed(conn framer) *LinkFixed {
	return &LinkFixed{conn: conn, data: make(chan []byte, 1), faults: make(chan error, 1), ended: make(chan struct{})}
}

// Start starts the reader.
func (l *LinkFixed) Start() { go l.read() }

func (l *LinkFixed) read() {
	defer close(l.ended)
	for {
		f, err := l.conn.Next()
		if err != nil {
			return
		}
		if f.fault != "" {
			select {
			case l.faults <- errors.New(f.fault):
			default:
			}
			continue
		}
		select {
		case l.data <- f.body:
		default:
		}
	}
}

// Recv waits for the next body or fault.
func (l *LinkFixed) Recv() ([]byte, error) {
	select {
	case b := <-l.data:
		return b, nil
	case err := <-l.faults:
		return nil, err
	}
}

// Close shuts the connection and waits for the reader.
func (l *LinkFixed) Close() error {
	err := l.conn.Close()
	<-l.ended
	return err
}

// Look-alike: the reader stops at the end of its input; a Next after that
// is the caller's misuse (the object's life ended), not a deadlock.
type LineSource struct {
	c chan string
}

func NewLineSource(r io.Reader) *LineSource {
	s := &LineSource{c: make(chan string)}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			s.c <- sc.Text()
		}
	}()
	return s
}

// Next waits for the next line.
func (s *LineSource) Next() string { return <-s.c }

// Look-alike: a reader that reports its one failure and stops.
type FrameStream struct {
	conn   framer
	data   chan []byte
	failed chan error
}

func NewFrameStream(conn framer) *FrameStream {
	s := &FrameStream{conn: conn, data: make(chan []byte), failed: make(chan error, 1)}
	go s.pump()
	return s
}

func (s *FrameStream) pump() {
	for {
		f, err := s.conn.Next()
		if err != nil {
			s.failed <- err
			return
		}
		s.data <- f.body
	}
}

// Next waits for the next body or the reader's failure.
func (s *FrameStream) Next() ([]byte, error) {
	select {
	case b := <-s.data:
		return b, nil
	case err := <-s.failed:
		return nil, err
	}
}

// Look-alike: a client's feed whose count a counted collector must match.
type Tally struct {
	items chan string
}

func NewTally() *Tally { return &Tally{items: make(chan string, 4)} }

// Feed adds every line of r.
func (t *Tally) Feed(r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		t.items <- sc.Text()
	}
}

// Collect takes n items.
func (t *Tally) Collect(n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, <-t.items)
	}
	return out
}

// Look-alike: a poller a client starts, paced by a timer and stopped by a
// channel of its own; its send waits for the next Wait (a loop another
// channel drives stays given up in the field harness).
type PollWatcher struct {
	updates chan string
	stops   []chan struct{}
}

func NewPollWatcher() *PollWatcher { return &PollWatcher{updates: make(chan string, 1)} }

// Watch starts a poller.
func (w *PollWatcher) Watch() {
	stop := make(chan struct{})
	w.stops = append(w.stops, stop)
	go w.poll(stop)
}

func (w *PollWatcher) poll(stop chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(time.Second):
			w.updates <- "tick"
		}
	}
}

// Wait waits for an update or the timeout.
func (w *PollWatcher) Wait(timeout time.Duration) (string, bool) {
	select {
	case u := <-w.updates:
		return u, true
	case <-time.After(timeout):
		return "", false
	}
}
