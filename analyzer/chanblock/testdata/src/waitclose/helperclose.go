package waitclose

import "sync"

// --- The close is in a helper of another struct (session 25, closevar). ---

// The watcher, counted by cl.wg, waits for cl.c.done, which only
// conn.shutdown closes; Run is the only caller of shutdown and calls it
// after its error loop, so an error return skips it and the deferred Wait
// waits for the watcher forever.
type hconn struct {
	done chan struct{}
	hits int
}

func (c *hconn) shutdown() { close(c.done) }

type hclient struct {
	c  *hconn
	wg sync.WaitGroup
}

func newHClient() *hclient { return &hclient{c: &hconn{done: make(chan struct{})}} }

func (cl *hclient) Run(errs <-chan error) error {
	cl.wg.Add(1)
	go func() {
		defer cl.wg.Done()
		<-cl.c.done
		cl.c.hits = 0
	}()
	defer cl.wg.Wait() // want `wg.Wait waits for the goroutine started at line \d+, which waits at line \d+ for field done of hconn to be closed before its Done \(line \d+\) can run; only shutdown closes field done of hconn \(line \d+\), called by this function alone, and it returns at line \d+ without closing it`
	for err := range errs {
		if err != nil {
			return err
		}
	}
	cl.c.shutdown()
	return nil
}

// The fix: the helper's call is deferred after the Wait, so it runs first
// on every return.
type hconnFixed struct {
	done chan struct{}
	hits int
}

func (c *hconnFixed) shutdown() { close(c.done) }

type hclientFixed struct {
	c  *hconnFixed
	wg sync.WaitGroup
}

func newHClientFixed() *hclientFixed {
	return &hclientFixed{c: &hconnFixed{done: make(chan struct{})}}
}

func (cl *hclientFixed) Run(errs <-chan error) error {
	cl.wg.Add(1)
	go func() {
		defer cl.wg.Done()
		<-cl.c.done
		cl.c.hits = 0
	}()
	defer cl.wg.Wait()
	defer cl.c.shutdown()
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// A look-alike: the helper is exported and callers close through it too,
// so the Wait may be waiting for one of them.
type hconnShared struct {
	done chan struct{}
	hits int
}

func (c *hconnShared) Shutdown() { close(c.done) }

type hclientShared struct {
	c  *hconnShared
	wg sync.WaitGroup
}

func newHClientShared() *hclientShared {
	return &hclientShared{c: &hconnShared{done: make(chan struct{})}}
}

func (cl *hclientShared) Conn() *hconnShared { return cl.c }

func (cl *hclientShared) Stop() { cl.c.Shutdown() }

func (cl *hclientShared) Run(errs <-chan error) error {
	cl.wg.Add(1)
	go func() {
		defer cl.wg.Done()
		<-cl.c.done
		cl.c.hits = 0
	}()
	defer cl.wg.Wait()
	for err := range errs {
		if err != nil {
			return err
		}
	}
	cl.c.Shutdown()
	return nil
}
