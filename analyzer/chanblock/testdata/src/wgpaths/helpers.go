package wgpaths

import (
	"context"
	"errors"
	"sync"
)

// A pool counts each call of Go through a begin helper before it takes a
// worker slot; when the context is done it returns without starting the
// goroutine or calling Done, and Wait blocks for ever (waitgroup/semgroup_2,
// the Add in a helper).
type counter struct {
	wg sync.WaitGroup
}

func (c *counter) begin() { c.wg.Add(1) }
func (c *counter) end()   { c.wg.Done() }

type Pool struct {
	counter
	ctx   context.Context
	slots chan struct{}
}

func NewPool(ctx context.Context, n int) *Pool {
	return &Pool{ctx: ctx, slots: make(chan struct{}, n)}
}

func (p *Pool) acquire() error {
	select {
	case p.slots <- struct{}{}:
		return nil
	case <-p.ctx.Done():
		return p.ctx.Err()
	}
}

func (p *Pool) Go(f func()) {
	p.begin() // want `wg.Add\(1\) here is not matched on the path to the return at line \d+`
	if err := p.acquire(); err != nil {
		return
	}
	go func() {
		defer func() { <-p.slots }()
		defer p.end()
		f()
	}()
}

func (p *Pool) Wait() { p.wg.Wait() }

// The fix: the failed acquire ends the count.
type PoolOK struct {
	counter
	ctx   context.Context
	slots chan struct{}
}

func NewPoolOK(ctx context.Context, n int) *PoolOK {
	return &PoolOK{ctx: ctx, slots: make(chan struct{}, n)}
}

func (p *PoolOK) Go(f func()) {
	p.begin()
	select {
	case p.slots <- struct{}{}:
	case <-p.ctx.Done():
		p.end()
		return
	}
	go func() {
		defer func() { <-p.slots }()
		defer p.end()
		f()
	}()
}

func (p *PoolOK) Wait() { p.wg.Wait() }

// A sender counts each Send in flight through enter and leave helpers;
// an invalid line returns between them and Flush waits for ever
// (waitgroup/influxdbclient_30, the Add and the Done in helpers).
type Sender struct {
	wg    sync.WaitGroup
	mu    sync.Mutex
	queue []string
}

func (s *Sender) enter() { s.wg.Add(1) }
func (s *Sender) leave() { s.wg.Done() }

func (s *Sender) Send(line string) error {
	s.enter()
	if line == "" {
		return errors.New("empty line") // want `this return skips wg.Done: the wg.Add\(1\) at line \d+ counts this call in flight`
	}
	s.mu.Lock()
	s.queue = append(s.queue, line)
	s.mu.Unlock()
	s.leave()
	return nil
}

func (s *Sender) Flush() {
	s.wg.Wait()
}

// The fix: leave is deferred right after enter.
type SenderOK struct {
	wg    sync.WaitGroup
	mu    sync.Mutex
	queue []string
}

func (s *SenderOK) enter() { s.wg.Add(1) }
func (s *SenderOK) leave() { s.wg.Done() }

func (s *SenderOK) Send(line string) error {
	s.enter()
	defer s.leave()
	if line == "" {
		return errors.New("empty line")
	}
	s.mu.Lock()
	s.queue = append(s.queue, line)
	s.mu.Unlock()
	return nil
}

func (s *SenderOK) Flush() { s.wg.Wait() }

// Look-alike: the helper that drops the count is also the release half
// of an acquire/release API a caller pairs on its own: an early return
// of Open leaves the Done to Close.
type Conns struct {
	wg sync.WaitGroup
	n  int
}

func (c *Conns) enter() { c.wg.Add(1) }
func (c *Conns) leave() { c.wg.Done() }

func (c *Conns) Open(ok bool) error {
	c.enter()
	if !ok {
		return errors.New("refused")
	}
	c.n++
	c.leave()
	return nil
}

// Close ends a connection Open left counted.
func (c *Conns) Close() { c.leave() }

func (c *Conns) Shutdown() { c.wg.Wait() }

// Look-alike: acquire counts the caller and hands back the release, which
// the caller runs when it is done (the method value keeps the owner).
type Limiter struct {
	wg sync.WaitGroup
}

func (l *Limiter) enter() { l.wg.Add(1) }
func (l *Limiter) leave() { l.wg.Done() }

func (l *Limiter) Acquire() (release func(), err error) {
	l.enter()
	return l.leave, nil
}

func (l *Limiter) Drain() { l.wg.Wait() }

// A processor's job goroutine drops its count through a finished helper
// as its last statement; a job that fails to decode returns first, and
// Drain waits for ever (waitgroup/flowgo_3285, the Done in a helper).
type Processor struct {
	wg      sync.WaitGroup
	mu      sync.Mutex
	results [][]byte
}

func (s *Processor) finished() { s.wg.Done() }

func (s *Processor) process(job []byte) {
	if len(job) == 0 {
		return // want `this goroutine, counted by wg.Add at line \d+, can return here without calling wg.Done`
	}
	s.mu.Lock()
	s.results = append(s.results, job)
	s.mu.Unlock()
	s.finished()
}

func (s *Processor) Submit(job []byte) {
	s.wg.Add(1)
	go s.process(job)
}

func (s *Processor) Drain() { s.wg.Wait() }

// The fix: finished is deferred.
type ProcessorOK struct {
	wg      sync.WaitGroup
	results [][]byte
}

func (s *ProcessorOK) finished() { s.wg.Done() }

func (s *ProcessorOK) process(job []byte) {
	defer s.finished()
	if len(job) == 0 {
		return
	}
	s.results = append(s.results, job)
}

func (s *ProcessorOK) Submit(job []byte) {
	s.wg.Add(1)
	go s.process(job)
}

func (s *ProcessorOK) Drain() { s.wg.Wait() }

// Look-alike: the early return hands the processor to a method that
// records the failure and drops the count itself.
type ProcessorFail struct {
	wg     sync.WaitGroup
	failed int
}

func (s *ProcessorFail) finished() { s.wg.Done() }

func (s *ProcessorFail) fail() {
	s.failed++
	s.finished()
}

func (s *ProcessorFail) process(job []byte) {
	if len(job) == 0 {
		s.fail()
		return
	}
	s.finished()
}

func (s *ProcessorFail) Submit(job []byte) {
	s.wg.Add(1)
	go s.process(job)
}

func (s *ProcessorFail) Drain() { s.wg.Wait() }
