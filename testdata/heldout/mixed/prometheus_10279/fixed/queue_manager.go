// Package fixed is the fixed version of mixed/prometheus_10279: appends
// and the deadline flush serialise on a write mutex that stop does not
// hold, and the queue's batch has a mutex of its own.
package fixed

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

type sample int64

// queue batches samples for one shard.
type queue struct {
	batchMtx   sync.Mutex
	batch      []sample
	batchQueue chan []sample
	batchSize  int
}

func newQueue(batchSize, capacity int) *queue {
	batches := capacity / batchSize
	if batches == 0 {
		batches = 1
	}
	return &queue{
		batch:      make([]sample, 0, batchSize),
		batchQueue: make(chan []sample, batches),
		batchSize:  batchSize,
	}
}

// Append adds s; false means the queue is full and the caller retries.
func (q *queue) Append(s sample) bool {
	q.batchMtx.Lock()
	defer q.batchMtx.Unlock()
	q.batch = append(q.batch, s)
	if len(q.batch) == q.batchSize {
		select {
		case q.batchQueue <- q.batch:
			q.batch = make([]sample, 0, q.batchSize)
			return true
		default:
			q.batch = q.batch[:len(q.batch)-1]
			return false
		}
	}
	return true
}

// Batch returns the partial batch and starts a new one.
func (q *queue) Batch() []sample {
	q.batchMtx.Lock()
	defer q.batchMtx.Unlock()
	select {
	case batch := <-q.batchQueue:
		return batch
	default:
	}
	batch := q.batch
	q.batch = make([]sample, 0, q.batchSize)
	return batch
}

// FlushAndShutdown queues the partial batch and closes the queue.
func (q *queue) FlushAndShutdown(done <-chan struct{}) {
	for q.tryEnqueueingBatch(done) {
		time.Sleep(time.Second)
	}
	q.batchMtx.Lock()
	defer q.batchMtx.Unlock()
	q.batch = nil
	close(q.batchQueue)
}

func (q *queue) tryEnqueueingBatch(done <-chan struct{}) bool {
	q.batchMtx.Lock()
	defer q.batchMtx.Unlock()
	if len(q.batch) == 0 {
		return false
	}
	select {
	case q.batchQueue <- q.batch:
		return false
	case <-done:
		return false
	default:
		return true
	}
}

// QueueManager sends samples to one remote endpoint.
type QueueManager struct {
	flushDeadline     time.Duration
	batchSendDeadline time.Duration
	store             func(ctx context.Context, batch []sample) error
}

type shards struct {
	mtx sync.RWMutex
	// writeMtx serialises appends with the deadline flush; stop never
	// holds it.
	writeMtx sync.Mutex

	qm     *QueueManager
	queues []*queue

	running      atomic.Int32
	done         chan struct{}
	softShutdown chan struct{}
	hardShutdown context.CancelFunc
}

func (s *shards) start(n, batchSize, capacity int) {
	s.mtx.Lock()
	defer s.mtx.Unlock()

	s.queues = make([]*queue, n)
	for i := range s.queues {
		s.queues[i] = newQueue(batchSize, capacity)
	}
	var hardShutdownCtx context.Context
	hardShutdownCtx, s.hardShutdown = context.WithCancel(context.Background())
	s.softShutdown = make(chan struct{})
	s.done = make(chan struct{})
	s.running.Store(int32(n))
	for i := 0; i < n; i++ {
		go s.runShard(hardShutdownCtx, i, s.queues[i])
	}
}

// stop flushes the queues, waiting at most flushDeadline before a hard
// shutdown.
func (s *shards) stop() {
	s.mtx.RLock()
	close(s.softShutdown)
	s.mtx.RUnlock()

	// Enqueue is unblocked now, so take the write lock so that no Append
	// races with the flush.
	s.mtx.Lock()
	defer s.mtx.Unlock()
	for _, q := range s.queues {
		go q.FlushAndShutdown(s.done)
	}
	select {
	case <-s.done:
		return
	case <-time.After(s.qm.flushDeadline):
	}

	// Force an unclean shutdown.
	s.hardShutdown()
	<-s.done
}

// enqueue adds a sample to its shard; false means retry later.
func (s *shards) enqueue(ref uint64, v sample) bool {
	s.mtx.RLock()
	defer s.mtx.RUnlock()

	select {
	case <-s.softShutdown:
		return false
	default:
	}
	s.writeMtx.Lock()
	defer s.writeMtx.Unlock()
	return s.queues[ref%uint64(len(s.queues))].Append(v)
}

func (s *shards) runShard(ctx context.Context, shardID int, q *queue) {
	defer func() {
		if s.running.Add(-1) == 0 {
			close(s.done)
		}
	}()

	timer := time.NewTimer(s.qm.batchSendDeadline)
	defer timer.Stop()

	for {
		select {
		case <-ctx.Done():
			return

		case batch, ok := <-q.batchQueue:
			if !ok {
				return
			}
			_ = s.qm.store(ctx, batch)
			timer.Reset(s.qm.batchSendDeadline)

		case <-timer.C:
			// Take the write mutex to read the partial batch so that it
			// does not race with Append; stop holds only s.mtx.
			s.writeMtx.Lock()
			batch := q.Batch()
			s.writeMtx.Unlock()
			if len(batch) > 0 {
				_ = s.qm.store(ctx, batch)
			}
			timer.Reset(s.qm.batchSendDeadline)
		}
	}
}
