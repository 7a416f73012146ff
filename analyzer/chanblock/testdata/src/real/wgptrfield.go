package real

import (
	"errors"
	"io"
	"sync"
)

// Upstream: trickstercache/trickster#356. A forwarder counts its attached
// clients in a WaitGroup its constructor allocates and keeps behind a
// pointer field; AddClient reads blocks through a method of the forwarder
// and returns on a read error before its Done, so WaitAllComplete never
// returns. Fix: defer the Done right after the Add.
type forwarder struct {
	mu      sync.Mutex
	blocks  [][]byte
	done    bool
	clients *sync.WaitGroup
}

var errIndex = errors.New("index too large")

func newForwarder() *forwarder {
	var wg sync.WaitGroup
	return &forwarder{clients: &wg}
}

func (f *forwarder) read(i int) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i > len(f.blocks) {
		return nil, errIndex
	}
	if i == len(f.blocks) {
		if f.done {
			return nil, io.EOF
		}
		return nil, nil
	}
	return f.blocks[i], nil
}

func (f *forwarder) AddClient(w io.Writer) error {
	f.clients.Add(1)
	for i := 0; ; i++ {
		b, err := f.read(i)
		if err != nil {
			if err != io.EOF {
				return err // want `this return skips wg.Done: the wg.Add\(1\) at line \d+ counts this call in flight`
			}
			break
		}
		w.Write(b)
	}
	f.clients.Done()
	return nil
}

func (f *forwarder) WaitAllComplete() { f.clients.Wait() }

// The fix.
type forwarderFixed struct {
	mu      sync.Mutex
	blocks  [][]byte
	clients *sync.WaitGroup
}

func newForwarderFixed() *forwarderFixed {
	return &forwarderFixed{clients: new(sync.WaitGroup)}
}

func (f *forwarderFixed) read(i int) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i >= len(f.blocks) {
		return nil, errIndex
	}
	return f.blocks[i], nil
}

func (f *forwarderFixed) AddClient(w io.Writer) error {
	f.clients.Add(1)
	defer f.clients.Done()
	for i := 0; ; i++ {
		b, err := f.read(i)
		if err != nil {
			return err
		}
		w.Write(b)
	}
}

func (f *forwarderFixed) WaitAllComplete() { f.clients.Wait() }

// The same mistake with a WaitGroup value field: the check between the Add
// and the Done is a method of the owner that does not touch the group.
type chunkUploader struct {
	limit   int
	queued  int
	pending sync.WaitGroup
	put     func([]byte) error
}

func (u *chunkUploader) admit() error {
	if u.queued >= u.limit {
		return errIndex
	}
	u.queued++
	return nil
}

func (u *chunkUploader) Upload(b []byte) error {
	u.pending.Add(1)
	if err := u.admit(); err != nil {
		return err // want `this return skips wg.Done: the wg.Add\(1\) at line \d+ counts this call in flight`
	}
	err := u.put(b)
	u.pending.Done()
	return err
}

func (u *chunkUploader) Flush() { u.pending.Wait() }

// Look-alike that must stay silent: the pointer field holds a WaitGroup
// the caller hands in, which the caller may count down itself.
type sharedCounter struct {
	wg   *sync.WaitGroup
	work func() error
}

func newSharedCounter(wg *sync.WaitGroup) *sharedCounter {
	return &sharedCounter{wg: wg}
}

func (s *sharedCounter) Run() error {
	s.wg.Add(1)
	if err := s.work(); err != nil {
		return err
	}
	s.wg.Done()
	return nil
}

func (s *sharedCounter) Wait() { s.wg.Wait() }

// Look-alike that must stay silent: the method handed the owner on the
// early-return path is the one that drops the count.
type leasePool struct {
	mu     sync.Mutex
	free   int
	active *sync.WaitGroup
}

func newLeasePool() *leasePool { return &leasePool{active: new(sync.WaitGroup)} }

func (p *leasePool) giveBack() {
	p.mu.Lock()
	p.free++
	p.mu.Unlock()
	p.active.Done()
}

func (p *leasePool) Take(use func() error) error {
	p.active.Add(1)
	p.mu.Lock()
	if p.free == 0 {
		p.mu.Unlock()
		p.giveBack()
		return errIndex
	}
	p.free--
	p.mu.Unlock()
	err := use()
	p.active.Done()
	return err
}

func (p *leasePool) Drain() { p.active.Wait() }

// Look-alike that must stay silent: the owner is handed to an interface
// call, and a type of the package implements it by dropping the count.
type finisher interface{ finish(*jobTable) }

type doneFinisher struct{}

func (doneFinisher) finish(t *jobTable) { t.running.Done() }

type jobTable struct {
	running *sync.WaitGroup
	fin     finisher
	ok      func() bool
}

func newJobTable() *jobTable {
	var wg sync.WaitGroup
	return &jobTable{running: &wg, fin: doneFinisher{}}
}

func (t *jobTable) abort() { t.fin.finish(t) }

func (t *jobTable) Start() error {
	t.running.Add(1)
	if !t.ok() {
		t.abort()
		return errIndex
	}
	t.running.Done()
	return nil
}

func (t *jobTable) Stop() { t.running.Wait() }

// Look-alike that must stay silent: the loop is left by break on every
// error, and the Done after it runs on every path.
type scanner struct {
	inflight *sync.WaitGroup
	next     func() ([]byte, error)
	emit     func([]byte)
}

func newScanner() *scanner { return &scanner{inflight: &sync.WaitGroup{}} }

func (s *scanner) item() ([]byte, error) { return s.next() }

func (s *scanner) Scan() {
	s.inflight.Add(1)
	for {
		b, err := s.item()
		if err != nil {
			break
		}
		s.emit(b)
	}
	s.inflight.Done()
}

func (s *scanner) Close() { s.inflight.Wait() }

// Look-alike that must stay silent: a local WaitGroup pointer, not a
// field, shadowing the field's name.
type wgBatcher struct {
	wg   *sync.WaitGroup
	send func(int) error
}

func newWGBatcher() *wgBatcher { return &wgBatcher{wg: new(sync.WaitGroup)} }

func (b *wgBatcher) check(n int) error {
	if n < 0 {
		return errIndex
	}
	return nil
}

func (b *wgBatcher) Send(n int) error {
	wg := &sync.WaitGroup{}
	wg.Add(1)
	if err := b.check(n); err != nil {
		return err
	}
	go func() {
		defer wg.Done()
		b.send(n)
	}()
	wg.Wait()
	b.wg.Wait()
	return nil
}
