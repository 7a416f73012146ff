// Package fixed is the fixed version of chanrecv/gobatch_44: Done never
// returns nil; before Go it returns a channel that is already closed.
package fixed

import (
	"context"
	"sync"
)

// Source produces items until it closes its channel.
type Source interface {
	Read(ctx context.Context) <-chan interface{}
}

// Processor handles one batch of items.
type Processor interface {
	Process(ctx context.Context, items []interface{}) error
}

// closedDone is returned by Done on a batch that was never started.
var closedDone = func() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}()

// Batch groups items from a source and hands them to a processor.
type Batch struct {
	mu      sync.Mutex
	running bool
	size    int
	src     Source
	proc    Processor
	errs    chan error
	done    chan struct{}
}

// New makes a batch of the given size.
func New(size int) *Batch {
	return &Batch{size: size}
}

// Go starts reading from s and processing with p.
func (b *Batch) Go(ctx context.Context, s Source, p Processor) <-chan error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.running {
		panic("concurrent calls to Batch.Go are not allowed")
	}
	b.running = true
	b.src, b.proc = s, p
	b.errs = make(chan error, 1)
	b.done = make(chan struct{})
	go b.doProcessors(ctx)
	return b.errs
}

// Done returns a channel closed when processing is complete.
func (b *Batch) Done() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done == nil {
		return closedDone
	}
	return b.done
}

func (b *Batch) doProcessors(ctx context.Context) {
	var pending []interface{}
	for item := range b.src.Read(ctx) {
		pending = append(pending, item)
		if len(pending) == b.size {
			b.flush(ctx, pending)
			pending = nil
		}
	}
	if len(pending) > 0 {
		b.flush(ctx, pending)
	}

	b.mu.Lock()
	close(b.errs)
	close(b.done)
	b.running = false
	b.mu.Unlock()
}

func (b *Batch) flush(ctx context.Context, items []interface{}) {
	if err := b.proc.Process(ctx, items); err != nil {
		select {
		case b.errs <- err:
		default: // the caller is not reading errors
		}
	}
}

// Pipeline runs one batch over a source it opens itself.
type Pipeline struct {
	batch  *Batch
	open   func(ctx context.Context) (Source, error)
	proc   Processor
	cancel context.CancelFunc
}

// Start opens the source and starts the batch.
func (p *Pipeline) Start(ctx context.Context) error {
	ctx, p.cancel = context.WithCancel(ctx)
	p.batch = New(64)
	src, err := p.open(ctx)
	if err != nil {
		return err
	}
	p.batch.Go(ctx, src, p.proc)
	return nil
}

// Stop cancels the pipeline and waits until its batch has drained.
func (p *Pipeline) Stop() {
	p.cancel()
	<-p.batch.Done()
}
