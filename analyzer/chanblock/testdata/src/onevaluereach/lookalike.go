package onevaluereach

import "sync"

// pipe is reached through two pointer fields of a Duplex: the loops wait
// on d.up.done and d.down.done, two channels, each sent one value by
// Close (through pipe.stop). Each value wakes its one waiter: silent.
type pipe struct {
	done chan struct{}
	data chan []byte
}

func newPipe() *pipe { return &pipe{done: make(chan struct{}), data: make(chan []byte)} }

func (p *pipe) stop() { p.done <- struct{}{} }

type Duplex struct {
	up, down *pipe
}

func NewDuplex() *Duplex { return &Duplex{up: newPipe(), down: newPipe()} }

func (d *Duplex) Run() {
	go func() {
		for {
			select {
			case b := <-d.up.data:
				_ = b
			case <-d.up.done:
				return
			}
		}
	}()
	go func() {
		for {
			select {
			case b := <-d.down.data:
				_ = b
			case <-d.down.done:
				return
			}
		}
	}()
}

func (d *Duplex) Close() {
	d.up.stop()
	d.down.stop()
}

// Redialer starts one reader per connection it dials, in a loop: the
// reader waits on r.cur.gone, a field of the connection r.cur points to
// at that time, which is a new one every iteration. Each connection's
// one value wakes its one reader: silent.
type link struct {
	gone chan struct{}
	in   chan []byte
}

type Redialer struct {
	cur  *link
	dial func() *link
}

func (r *Redialer) Loop(n int) {
	for i := 0; i < n; i++ {
		r.cur = r.dial()
		go func() {
			for {
				select {
				case b := <-r.cur.in:
					_ = b
				case <-r.cur.gone:
					return
				}
			}
		}()
		r.hangUp()
	}
}

func (r *Redialer) hangUp() { r.cur.gone <- struct{}{} }

func newLink() *link { return &link{gone: make(chan struct{}), in: make(chan []byte)} }

// Single starts one loop as a method value with wg.Go: one value on its
// quit channel wakes it: silent.
type Single struct {
	quit chan struct{}
	wg   sync.WaitGroup
}

func NewSingle() *Single {
	s := &Single{quit: make(chan struct{})}
	s.wg.Go(s.loop)
	return s
}

func (s *Single) loop() {
	<-s.quit
}

func (s *Single) Stop() {
	s.quit <- struct{}{}
	s.wg.Wait()
}
