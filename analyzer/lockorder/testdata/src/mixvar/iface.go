package mixvar

import (
	"io"
	"sync"
	"time"
)

// A client keeps its runners as a Runner interface whose one
// implementation's WaitCh returns its waitCh field. Shutdown holds c.lock
// while it destroys each runner and waits on WaitCh; the runner's last
// status update reads the map under c.lock, so Run never closes waitCh
// (mixed/nomad_2152, the runner behind an interface).
type Runner interface {
	Destroy()
	WaitCh() <-chan struct{}
}

type allocRunner struct {
	id      string
	update  func(id string)
	destroy chan struct{}
	once    sync.Once
	waitCh  chan struct{}
}

func (r *allocRunner) Run() {
	defer close(r.waitCh)
	<-r.destroy
	r.update(r.id)
}

func (r *allocRunner) Destroy()                { r.once.Do(func() { close(r.destroy) }) }
func (r *allocRunner) WaitCh() <-chan struct{} { return r.waitCh }

type allocClient struct {
	lock    sync.RWMutex
	runners map[string]Runner
}

func (c *allocClient) update(id string) {
	c.lock.RLock()
	_ = c.runners[id]
	c.lock.RUnlock()
}

func (c *allocClient) add(id string) {
	r := &allocRunner{id: id, update: c.update, destroy: make(chan struct{}), waitCh: make(chan struct{})}
	c.lock.Lock()
	c.runners[id] = r
	c.lock.Unlock()
	go r.Run()
}

func (c *allocClient) shutdown() {
	c.lock.Lock()
	defer c.lock.Unlock()
	for _, r := range c.runners {
		r.Destroy()
		<-r.WaitCh() // want `this goroutine receives from c.runners\[…\].WaitCh\(\) while holding c.lock .*but Run, which sends on or closes it .*first locks c.lock`
	}
}

// The fix: the runners are copied under the read lock and waited for
// without it.
type allocClientOK struct {
	lock    sync.RWMutex
	runners map[string]Runner
}

func (c *allocClientOK) shutdown() {
	c.lock.RLock()
	var rs []Runner
	for _, r := range c.runners {
		rs = append(rs, r)
	}
	c.lock.RUnlock()
	for _, r := range rs {
		r.Destroy()
		<-r.WaitCh()
	}
}

// A server closes its stack through io.Closer holding s.mu; the stack's
// Close waits for its pump goroutine, which asks the server for its
// config under s.mu before it can see quit (mixed/tailscale_18842, the
// component behind io.Closer). Every store the package makes into the
// field holds a *stack (or nil).
type stack struct {
	srv  *server
	wg   sync.WaitGroup
	quit chan struct{}
}

func (st *stack) start() {
	st.wg.Add(1)
	go func() {
		defer st.wg.Done()
		for {
			select {
			case <-st.quit:
				return
			case <-time.After(time.Millisecond):
				_ = st.srv.config()
			}
		}
	}()
}

func (st *stack) Close() error {
	close(st.quit)
	st.wg.Wait()
	return nil
}

type server struct {
	mu     sync.Mutex
	cfg    string
	closer io.Closer
}

func newServer() *server {
	s := &server{cfg: "default"}
	st := &stack{srv: s, quit: make(chan struct{})}
	st.start()
	s.closer = st
	return s
}

func (s *server) config() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

func (s *server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closer == nil {
		return nil
	}
	err := s.closer.Close() // want `this goroutine waits on s.closer.wg inside s.closer.Close .*while holding s.mu .*but a function literal in start, which calls Done .*first locks st.srv.mu`
	s.closer = nil
	return err
}

// The fix: the closer is taken out under the lock and closed without it.
type serverOK struct {
	mu     sync.Mutex
	closer io.Closer
}

func (s *serverOK) Close() error {
	s.mu.Lock()
	c := s.closer
	s.closer = nil
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	return c.Close()
}

// Look-alike: the field may also hold a closer the caller hands in, a
// Close that waits for nothing of this package; the call stays
// unresolved.
type mstack struct {
	srv  *serverMixed
	wg   sync.WaitGroup
	quit chan struct{}
}

func (st *mstack) start() {
	st.wg.Add(1)
	go func() {
		defer st.wg.Done()
		for {
			select {
			case <-st.quit:
				return
			case <-time.After(time.Millisecond):
				st.srv.mu.Lock()
				st.srv.n++
				st.srv.mu.Unlock()
			}
		}
	}()
}

func (st *mstack) Close() error {
	close(st.quit)
	st.wg.Wait()
	return nil
}

type serverMixed struct {
	mu     sync.Mutex
	n      int
	closer io.Closer
}

func newServerMixed(f io.ReadWriteCloser) *serverMixed {
	s := &serverMixed{}
	if f != nil {
		s.closer = f
		return s
	}
	st := &mstack{srv: s, quit: make(chan struct{})}
	st.start()
	s.closer = st
	return s
}

func (s *serverMixed) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closer.Close()
}
