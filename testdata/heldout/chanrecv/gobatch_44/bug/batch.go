// Package bug is a held-out kernel (issue 14): Batch.Done returns a nil
// channel until Go has been called, so waiting on it before (or without)
// Go blocks for ever.
//
// Upstream: MasterOfBinary/gobatch#44 ("Ensure Done returns closed channel when unused")
// Round: 14
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: a Batch makes its done channel in Go, and the processors close it
// when the pipeline is drained; Done simply returned b.done. On a batch
// whose Go was never called, b.done is nil, and "<-b.Done()", the usage
// the package documents for waiting on completion, never returns (the PR:
// "avoid returning nil from Done"). The kernel's Pipeline shows the way
// this is reached: Start fails before handing the batch its source, and
// Stop then waits on Done. The Pipeline and the reduced source/processor
// types are ours; Batch's fields, Go, Done and the closing of done follow
// the library.
//
// Fix: Done returns a package-level, already closed channel when the batch
// has not been started, so it can be waited on before and after Go.
package bug

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
	return b.done // heldout:site
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
		return err // heldout:site
	}
	p.batch.Go(ctx, src, p.proc)
	return nil
}

// Stop cancels the pipeline and waits until its batch has drained.
func (p *Pipeline) Stop() {
	p.cancel()
	<-p.batch.Done() // heldout:site
}
