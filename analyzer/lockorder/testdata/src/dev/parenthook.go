package dev

import "sync"

// Upstream: tailscale/tailscale#18842
//
// An embedded server wired its network stack's exported flow hook to one
// of its own methods and, in Shutdown, held its mutex while it shut the
// stack down, which waits for the stack's dispatch goroutines; each of
// those calls the hook for every flow, and the server's method looks the
// listener up under the same mutex. A dispatcher stuck in that Lock never
// reaches its Done. The hook is bound to the object that holds the stack
// in a field, so it runs on a server, not on the stack. Fix: Shutdown
// releases the mutex before shutting the stack down.
type flowStack struct {
	wg      sync.WaitGroup
	closing chan struct{}
	flows   chan string
	OnFlow  func(dst string) bool
}

func (st *flowStack) Start(n int) {
	for i := 0; i < n; i++ {
		st.wg.Add(1)
		go func() {
			defer st.wg.Done()
			for {
				select {
				case <-st.closing:
					return
				case dst := <-st.flows:
					st.OnFlow(dst)
				}
			}
		}()
	}
}

func (st *flowStack) shutdown() {
	close(st.closing)
	st.wg.Wait()
}

type flowServer struct {
	mu        sync.Mutex
	listeners map[string]bool
	stack     *flowStack
}

func newFlowServer() *flowServer {
	s := &flowServer{listeners: map[string]bool{}, stack: &flowStack{closing: make(chan struct{}), flows: make(chan string)}}
	s.stack.OnFlow = s.accepts
	s.stack.Start(4)
	return s
}

func (s *flowServer) accepts(dst string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.listeners[dst]
}

func (s *flowServer) Shutdown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listeners = nil
	s.stack.shutdown() // want `this goroutine waits on s.stack.wg inside s.stack.shutdown .*while holding s.mu .*but a function literal in Start, which calls Done .*first locks s.mu`
}

// The fix: the stack is shut down after the Unlock.
type flowStackOK struct {
	wg      sync.WaitGroup
	closing chan struct{}
	flows   chan string
	OnFlow  func(dst string) bool
}

func (st *flowStackOK) Start(n int) {
	for i := 0; i < n; i++ {
		st.wg.Add(1)
		go func() {
			defer st.wg.Done()
			for {
				select {
				case <-st.closing:
					return
				case dst := <-st.flows:
					st.OnFlow(dst)
				}
			}
		}()
	}
}

func (st *flowStackOK) shutdown() {
	close(st.closing)
	st.wg.Wait()
}

type flowServerOK struct {
	mu        sync.Mutex
	listeners map[string]bool
	stack     *flowStackOK
}

func newFlowServerOK() *flowServerOK {
	s := &flowServerOK{listeners: map[string]bool{}, stack: &flowStackOK{closing: make(chan struct{}), flows: make(chan string)}}
	s.stack.OnFlow = s.accepts
	s.stack.Start(4)
	return s
}

func (s *flowServerOK) accepts(dst string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.listeners[dst]
}

func (s *flowServerOK) Shutdown() {
	s.mu.Lock()
	s.listeners = nil
	s.mu.Unlock()
	s.stack.shutdown()
}

// A variant: an unexported hook set to a closure capturing the parent,
// and the parent waiting on the child's WaitGroup itself.
type msgPump struct {
	wg    sync.WaitGroup
	in    chan int
	onMsg func(int)
}

func (p *msgPump) run() {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for m := range p.in {
			p.onMsg(m)
		}
	}()
}

type msgHub struct {
	mu   sync.Mutex
	seen int
	pump *msgPump
}

func newMsgHub() *msgHub {
	h := &msgHub{pump: &msgPump{in: make(chan int)}}
	h.pump.onMsg = func(m int) { h.count(m) }
	h.pump.run()
	return h
}

func (h *msgHub) count(m int) {
	h.mu.Lock()
	h.seen += m
	h.mu.Unlock()
}

func (h *msgHub) Stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	close(h.pump.in)
	h.pump.wg.Wait() // want `this goroutine waits on h.pump.wg while holding h.mu .*but a function literal in run, which calls Done .*first locks h.mu`
}

// A look-alike: the parent's hook takes another mutex than the one held
// while waiting, so the dispatchers can always finish.
type statPump struct {
	wg    sync.WaitGroup
	in    chan int
	onMsg func(int)
}

func (p *statPump) run() {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for m := range p.in {
			p.onMsg(m)
		}
	}()
}

type statHub struct {
	mu     sync.Mutex
	statMu sync.Mutex
	seen   int
	pump   *statPump
}

func newStatHub() *statHub {
	h := &statHub{pump: &statPump{in: make(chan int)}}
	h.pump.onMsg = func(m int) { h.count(m) }
	h.pump.run()
	return h
}

func (h *statHub) count(m int) {
	h.statMu.Lock()
	h.seen += m
	h.statMu.Unlock()
}

func (h *statHub) Stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	close(h.pump.in)
	h.pump.wg.Wait()
}
