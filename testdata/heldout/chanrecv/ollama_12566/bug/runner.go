// Package bug is a held-out kernel (issue 14): the model runner builds the
// next batch while the previous one computes on its own goroutine, and
// waits for the previous batch's "compute started" signal before it reads
// the sequences; when the compute goroutine hits a hard error before it
// starts computing, it reports the error on a channel and returns without
// the signal, and the run loop, parked in forwardBatch, never gets back to
// the select that reads the error.
//
// Upstream: ollama/ollama#12566 ("ollamarunner: fix deadlock")
// Round: 17
// Seen: 2026-11-29, development set (written in session 24 by helper chanrecv to tune the analyzers; not a blind measure)
//
// Bug: the PR says "hardErrCh will deadlock since forwardBatch is blocked
// on computeStartedCh which never gets sent. since the response to
// hardErrCh is to panic, just panic instead". The batch state with its
// three signal channels, made in forwardBatch and handed to computeBatch by
// value, the run loop, the sequence bookkeeping under the server mutex and
// the backend's ComputeWithNotify callback are upstream's, reduced. Which
// hard errors computeBatch reported on hardErrCh and the channel's buffer
// are our reading of the thread and of the code after the fix (where the
// same conditions panic); the backend is reduced to one type.
//
// Fix: computeBatch panics on a hard error instead of sending it, and the
// run loop no longer selects on hardErrCh.
package bug

import (
	"context"
	"errors"
	"sync"
)

// Input is one token, or a placeholder filled in after compute.
type Input struct {
	Token int32
}

// Tensor is a backend tensor.
type Tensor interface {
	Floats() []float32
}

// Context is a backend compute context for one batch.
type Context interface {
	// ComputeWithNotify calls cb once the graph is queued, then computes.
	ComputeWithNotify(cb func(), outputs ...Tensor)
	Close()
}

// Model builds a batch's graph.
type Model interface {
	NewContext() Context
	Forward(ctx Context, inputs []int32) (Tensor, error)
}

// Sequence is one request being generated.
type Sequence struct {
	inputs        []*Input
	pendingInputs []*Input
	cacheInputs   []*Input
	numPredicted  int
	iBatch        int
	responses     chan string // read by the request handler
}

// InputCache keeps the processed tokens of each sequence.
type InputCache struct {
	enabled bool
}

// batchState tracks one batch between forwardBatch and computeBatch.
type batchState struct {
	id          int
	ctx         Context
	modelOutput Tensor
	batchInputs []*Input
	seqs        []*Sequence

	// Signaled when this batch's inputs are ready and compute can proceed.
	inputsReadyCh chan struct{}
	// Signaled when compute is about to begin on this batch.
	computeStartedCh chan struct{}
	// Signaled when this batch's outputs are complete.
	outputsReadyCh chan struct{}
}

// Server runs one model for several sequences.
type Server struct {
	model     Model
	batchSize int
	batchID   int

	mu    sync.Mutex
	cond  *sync.Cond
	seqs  []*Sequence
	cache *InputCache

	// Errors the compute goroutine cannot recover from.
	hardErrCh chan error
}

// NewServer returns a server for parallel sequences.
func NewServer(m Model, parallel, batchSize int, cache bool) *Server {
	s := &Server{
		model:     m,
		batchSize: batchSize,
		seqs:      make([]*Sequence, parallel),
		cache:     &InputCache{enabled: cache},
		hardErrCh: make(chan error, 1),
	}
	s.cond = sync.NewCond(&s.mu)
	return s
}

func (s *Server) allNil() bool {
	for _, seq := range s.seqs {
		if seq != nil {
			return false
		}
	}
	return true
}

// Execute starts the run loop; it returns at once.
func (s *Server) Execute(ctx context.Context) {
	go s.run(ctx)
}

// Add places seq in a free slot and wakes the run loop.
func (s *Server) Add(seq *Sequence) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, old := range s.seqs {
		if old == nil {
			s.seqs[i] = seq
			s.cond.Signal()
			return true
		}
	}
	return false
}

func (s *Server) run(ctx context.Context) {
	var previousBatch batchState
	for {
		select {
		case <-ctx.Done():
			return
		case err := <-s.hardErrCh:
			panic(err)
		default:
			nextBatch, err := s.forwardBatch(previousBatch)
			if err != nil {
				panic(err)
			}
			go s.computeBatch(nextBatch)
			previousBatch = nextBatch
		}
	}
}

// forwardBatch prepares the next batch once the pending one has started.
func (s *Server) forwardBatch(pendingBatch batchState) (nextBatch batchState, err error) {
	if pendingBatch.ctx != nil {
		<-pendingBatch.computeStartedCh // heldout:site
		nextBatch.inputsReadyCh = pendingBatch.outputsReadyCh
	} else {
		nextBatch.inputsReadyCh = make(chan struct{}, 1)
		nextBatch.inputsReadyCh <- struct{}{}
	}

	s.mu.Lock()
	for s.allNil() {
		s.cond.Wait()
	}
	defer s.mu.Unlock()

	nextBatch.ctx = s.model.NewContext()
	nextBatch.id = s.batchID
	nextBatch.seqs = append([]*Sequence{}, s.seqs...)
	nextBatch.computeStartedCh = make(chan struct{}, 1)
	nextBatch.outputsReadyCh = make(chan struct{}, 1)

	var batchInputs []*Input
	for _, seq := range s.seqs {
		if seq == nil {
			continue
		}
		for _, inp := range seq.inputs {
			if len(batchInputs) >= s.batchSize {
				break
			}
			batchInputs = append(batchInputs, inp)
			seq.pendingInputs = append(seq.pendingInputs, inp)
		}
		seq.iBatch = len(batchInputs) - 1
		seq.inputs = seq.inputs[len(seq.pendingInputs):]
	}
	if len(batchInputs) == 0 {
		nextBatch.ctx.Close()
		nextBatch.ctx = nil
		return
	}
	s.batchID++

	tokens := make([]int32, len(batchInputs))
	nextBatch.modelOutput, err = s.model.Forward(nextBatch.ctx, tokens)
	if err != nil {
		return
	}
	nextBatch.batchInputs = batchInputs
	return
}

// computeBatch runs one batch and samples the next token of each sequence.
func (s *Server) computeBatch(activeBatch batchState) {
	if activeBatch.ctx == nil {
		return
	}
	defer activeBatch.ctx.Close()

	<-activeBatch.inputsReadyCh
	defer func() {
		activeBatch.outputsReadyCh <- struct{}{}
	}()

	s.mu.Lock()
	batchInputs := make([]int32, len(activeBatch.batchInputs))
	for i := range batchInputs {
		batchInputs[i] = activeBatch.batchInputs[i].Token
	}
	nextTokens := make([]*Input, len(s.seqs))
	for i, seq := range s.seqs {
		if seq == nil || activeBatch.seqs[i] != seq {
			continue
		}
		seq.cacheInputs = append(seq.cacheInputs, seq.pendingInputs...)
		seq.pendingInputs = nil
		if len(seq.inputs) != 0 {
			if !s.cache.enabled {
				s.mu.Unlock()
				s.hardErrCh <- errors.New("caching disabled but unable to fit entire input in a batch")
				return // heldout:site
			}
			continue
		}
		seq.numPredicted++
		next := &Input{}
		seq.inputs = []*Input{next}
		nextTokens[i] = next
	}
	s.mu.Unlock()

	activeBatch.ctx.ComputeWithNotify(func() {
		activeBatch.computeStartedCh <- struct{}{}
	}, activeBatch.modelOutput)

	logits := activeBatch.modelOutput.Floats()

	s.mu.Lock()
	defer s.mu.Unlock()
	for i, seq := range s.seqs {
		if seq == nil || nextTokens[i] == nil {
			continue
		}
		nextTokens[i].Token = int32(len(logits) % 7)
	}
}

// cpuContext is a backend context that computes on the calling goroutine.
type cpuContext struct {
	closed bool
}

func (c *cpuContext) ComputeWithNotify(cb func(), outputs ...Tensor) {
	if cb != nil {
		cb()
	}
	for _, t := range outputs {
		_ = t.Floats()
	}
}

func (c *cpuContext) Close() { c.closed = true }

var _ Context = (*cpuContext)(nil)
