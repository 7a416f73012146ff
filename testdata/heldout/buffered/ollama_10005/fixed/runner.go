// Package fixed is the fixed version of buffered/ollama_10005: both
// handlers release their semaphore slot on the two failure paths between
// Acquire and putting the sequence in s.seqs.
package fixed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
)

// Weighted is a counting semaphore with context-aware Acquire.
type Weighted struct {
	slots chan struct{}
}

// NewWeighted returns a semaphore of n slots.
func NewWeighted(n int64) *Weighted {
	return &Weighted{slots: make(chan struct{}, n)}
}

// Acquire takes n slots, or gives up when ctx is done.
func (w *Weighted) Acquire(ctx context.Context, n int64) error {
	for i := int64(0); i < n; i++ {
		select {
		case w.slots <- struct{}{}:
		case <-ctx.Done():
			for ; i > 0; i-- {
				<-w.slots
			}
			return ctx.Err()
		}
	}
	return nil
}

// Release gives back n slots.
func (w *Weighted) Release(n int64) {
	for i := int64(0); i < n; i++ {
		<-w.slots
	}
}

// Model is the loaded model.
type Model interface {
	Tokenize(prompt string) ([]int32, error)
	Decode(tokens []int32) (next int32, piece string, err error)
	Embed(tokens []int32) ([]float32, error)
	IsEOS(token int32) bool
}

// InputCacheSlot is one KV cache slot.
type InputCacheSlot struct {
	ID     int
	Inputs []int32
	InUse  bool
}

// InputCache holds one slot per parallel sequence.
type InputCache struct {
	numCtx int
	slots  []InputCacheSlot
}

// NewInputCache returns a cache of n slots.
func NewInputCache(numCtx, n int) *InputCache {
	c := &InputCache{numCtx: numCtx, slots: make([]InputCacheSlot, n)}
	for i := range c.slots {
		c.slots[i].ID = i
	}
	return c
}

// LoadCacheSlot picks the free slot sharing the longest prefix with prompt.
func (c *InputCache) LoadCacheSlot(prompt []int32) (*InputCacheSlot, []int32, error) {
	var best *InputCacheSlot
	bestLen := -1
	for i := range c.slots {
		s := &c.slots[i]
		if s.InUse {
			continue
		}
		n := 0
		for n < len(s.Inputs) && n < len(prompt) && s.Inputs[n] == prompt[n] {
			n++
		}
		if n > bestLen {
			best, bestLen = s, n
		}
	}
	if best == nil {
		return nil, nil, errors.New("no available cache slots")
	}
	if len(prompt) > c.numCtx {
		return nil, nil, fmt.Errorf("input of %d tokens exceeds context of %d", len(prompt), c.numCtx)
	}
	best.InUse = true
	best.Inputs = best.Inputs[:bestLen]
	return best, prompt[bestLen:], nil
}

// Sequence is one request being decoded.
type Sequence struct {
	inputs        []int32
	cache         *InputCacheSlot
	numPredict    int
	numPredicted  int
	pending       []string
	responses     chan string
	quit          chan bool
	embedding     chan []float32
	embeddingOnly bool
	stop          []string
	doneReason    string
}

// Server decodes up to parallel sequences in one batch loop.
type Server struct {
	model    Model
	parallel int

	mu      sync.Mutex
	cond    *sync.Cond
	seqs    []*Sequence
	seqsSem *Weighted
	cache   *InputCache
}

// NewServer returns a runner for parallel sequences.
func NewServer(m Model, parallel, numCtx int) *Server {
	s := &Server{
		model:    m,
		parallel: parallel,
		seqs:     make([]*Sequence, parallel),
		seqsSem:  NewWeighted(int64(parallel)),
		cache:    NewInputCache(numCtx, parallel),
	}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// NewSequence tokenizes a prompt into a sequence.
func (s *Server) NewSequence(prompt string, numPredict int, stop []string, embedding bool) (*Sequence, error) {
	tokens, err := s.model.Tokenize(prompt)
	if err != nil {
		return nil, err
	}
	if len(tokens) == 0 {
		return nil, errors.New("no input provided")
	}
	return &Sequence{
		inputs:        tokens,
		numPredict:    numPredict,
		responses:     make(chan string, 100),
		quit:          make(chan bool, 1),
		embedding:     make(chan []float32, 1),
		embeddingOnly: embedding,
		stop:          stop,
	}, nil
}

func (s *Server) allNil() bool {
	for _, seq := range s.seqs {
		if seq != nil {
			return false
		}
	}
	return true
}

func flushPending(seq *Sequence) bool {
	joined := strings.Join(seq.pending, "")
	seq.pending = nil
	if joined == "" {
		return true
	}
	select {
	case seq.responses <- joined:
		return true
	case <-seq.quit:
		return false
	}
}

// removeSequence ends a sequence and gives its slot back.
func (s *Server) removeSequence(i int, reason string) {
	seq := s.seqs[i]
	flushPending(seq)
	seq.doneReason = reason
	close(seq.responses)
	close(seq.embedding)
	seq.cache.InUse = false
	s.seqs[i] = nil
	s.seqsSem.Release(1)
}

// run is the batch loop.
func (s *Server) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		default:
			if err := s.processBatch(); err != nil {
				panic(err)
			}
		}
	}
}

func (s *Server) processBatch() error {
	s.mu.Lock()
	for s.allNil() {
		s.cond.Wait()
	}
	defer s.mu.Unlock()

	for i, seq := range s.seqs {
		if seq == nil {
			continue
		}
		if seq.numPredict > 0 && seq.numPredicted >= seq.numPredict {
			s.removeSequence(i, "limit")
			continue
		}
		if seq.embeddingOnly {
			emb, err := s.model.Embed(seq.inputs)
			if err != nil {
				return fmt.Errorf("failed to embed: %w", err)
			}
			seq.embedding <- emb
			s.removeSequence(i, "stop")
			continue
		}
		token, piece, err := s.model.Decode(seq.inputs)
		if err != nil {
			return fmt.Errorf("failed to decode batch: %w", err)
		}
		seq.numPredicted++
		if s.model.IsEOS(token) {
			s.removeSequence(i, "stop")
			continue
		}
		seq.cache.Inputs = append(seq.cache.Inputs, seq.inputs...)
		seq.inputs = []int32{token}
		seq.pending = append(seq.pending, piece)
		if !flushPending(seq) {
			s.removeSequence(i, "connection closed")
		}
	}
	return nil
}

// CompletionRequest is the body of a completion call.
type CompletionRequest struct {
	Prompt     string   `json:"prompt"`
	NumPredict int      `json:"num_predict"`
	Stop       []string `json:"stop"`
}

// CompletionResponse is one streamed chunk.
type CompletionResponse struct {
	Content    string `json:"content"`
	Done       bool   `json:"done"`
	DoneReason string `json:"done_reason,omitempty"`
}

func (s *Server) completion(w http.ResponseWriter, r *http.Request) {
	var req CompletionRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "Bad request", http.StatusBadRequest)
		return
	}

	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "Streaming not supported", http.StatusInternalServerError)
		return
	}

	seq, err := s.NewSequence(req.Prompt, req.NumPredict, req.Stop, false)
	if err != nil {
		http.Error(w, fmt.Sprintf("Failed to create new sequence: %v", err), http.StatusInternalServerError)
		return
	}

	// Ensure there is a place to put the sequence, released when removed from s.seqs
	if err := s.seqsSem.Acquire(r.Context(), 1); err != nil {
		if errors.Is(err, context.Canceled) {
			slog.Info("aborting completion request due to client closing the connection")
		} else {
			slog.Error("Failed to acquire semaphore", "error", err)
		}
		return
	}

	s.mu.Lock()
	found := false
	for i, sq := range s.seqs {
		if sq == nil {
			seq.cache, seq.inputs, err = s.cache.LoadCacheSlot(seq.inputs)
			if err != nil {
				s.mu.Unlock()
				s.seqsSem.Release(1)
				http.Error(w, fmt.Sprintf("Failed to load cache: %v", err), http.StatusInternalServerError)
				return
			}

			s.seqs[i] = seq
			s.cond.Signal()
			found = true
			break
		}
	}
	s.mu.Unlock()

	if !found {
		s.seqsSem.Release(1)
		http.Error(w, "could not find an available sequence", http.StatusInternalServerError)
		return
	}

	for {
		select {
		case <-r.Context().Done():
			close(seq.quit)
			return
		case content, ok := <-seq.responses:
			if ok {
				if err := json.NewEncoder(w).Encode(&CompletionResponse{Content: content}); err != nil {
					http.Error(w, fmt.Sprintf("failed to encode response: %v", err), http.StatusInternalServerError)
					close(seq.quit)
					return
				}
				flusher.Flush()
			} else {
				if err := json.NewEncoder(w).Encode(&CompletionResponse{Done: true, DoneReason: seq.doneReason}); err != nil {
					http.Error(w, fmt.Sprintf("failed to encode final response: %v", err), http.StatusInternalServerError)
				}
				return
			}
		}
	}
}

// EmbeddingRequest is the body of an embedding call.
type EmbeddingRequest struct {
	Content string `json:"content"`
}

// EmbeddingResponse carries one embedding.
type EmbeddingResponse struct {
	Embedding []float32 `json:"embedding"`
}

func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) {
	var req EmbeddingRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, fmt.Sprintf("bad request: %s", err), http.StatusBadRequest)
		return
	}

	w.Header().Set("Content-Type", "application/json")

	seq, err := s.NewSequence(req.Content, 0, nil, true)
	if err != nil {
		http.Error(w, fmt.Sprintf("Failed to create new sequence: %v", err), http.StatusInternalServerError)
		return
	}

	// Ensure there is a place to put the sequence, released when removed from s.seqs
	if err := s.seqsSem.Acquire(r.Context(), 1); err != nil {
		if errors.Is(err, context.Canceled) {
			slog.Info("aborting embeddings request due to client closing the connection")
		} else {
			slog.Error("Failed to acquire semaphore", "error", err)
		}
		return
	}

	s.mu.Lock()
	found := false
	for i, sq := range s.seqs {
		if sq == nil {
			seq.cache, seq.inputs, err = s.cache.LoadCacheSlot(seq.inputs)
			if err != nil {
				s.mu.Unlock()
				s.seqsSem.Release(1)
				http.Error(w, fmt.Sprintf("Failed to load cache: %v", err), http.StatusInternalServerError)
				return
			}
			s.seqs[i] = seq
			s.cond.Signal()
			found = true
			break
		}
	}
	s.mu.Unlock()

	if !found {
		s.seqsSem.Release(1)
		http.Error(w, "could not find an available sequence", http.StatusInternalServerError)
		return
	}

	embedding := <-seq.embedding

	if err := json.NewEncoder(w).Encode(&EmbeddingResponse{Embedding: embedding}); err != nil {
		http.Error(w, fmt.Sprintf("failed to encode response: %v", err), http.StatusInternalServerError)
	}
}

// Serve runs the batch loop and the HTTP handlers until ctx ends.
func Serve(ctx context.Context, m Model, parallel, numCtx int, addr string) error {
	s := NewServer(m, parallel, numCtx)
	go s.run(ctx)

	mux := http.NewServeMux()
	mux.HandleFunc("/completion", s.completion)
	mux.HandleFunc("/embedding", s.embeddings)
	srv := &http.Server{Addr: addr, Handler: mux}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	return srv.ListenAndServe()
}
