// Package bug is a held-out kernel (issue 14): Prometheus remote write's
// shards. Stopping the shards (on shutdown or when resharding) takes the
// shards' write lock and keeps it while it waits for every shard
// goroutine to finish; a shard whose batch_send_deadline timer fires at
// that moment takes the same lock to read the partial batch, so it never
// finishes, the stop waits for it for ever (even after the hard
// shutdown), and every enqueue waits behind the stop.
//
// Upstream: prometheus/prometheus#10279 ("Fix deadlock when stopping a shard", issue prometheus/prometheus#10264)
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: the PR: "If a queue is stopped and one of its shards happens to
// hit the batch_send_deadline at the same time a deadlock can occur where
// stop holds the mutex and will not release it until the send is
// finished, but the send needs the mutex to retrieve the most recent
// batch." shards.stop took s.mtx.Lock, started FlushAndShutdown for each
// queue and waited on s.done (flushDeadline, then hardShutdown and
// <-s.done again); runShard's timer case took s.mtx.Lock to take the
// partial batch without racing Append. Samples, exemplars, metrics,
// resharding and the HTTP client are reduced to a slice of ints and a
// Store callback.
//
// Fix: "using a second mutex just for writing": enqueue and the timer
// case serialise on a write mutex that stop does not hold, and the
// queue's batch gets a mutex of its own so Batch and FlushAndShutdown do
// not race. Which lock guards which line is our reading of the PR.
package bug

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

type sample int64

// queue batches samples for one shard.
type queue struct {
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
	batch := q.batch
	q.batch = make([]sample, 0, q.batchSize)
	return batch
}

// FlushAndShutdown queues the partial batch and closes the queue.
func (q *queue) FlushAndShutdown(done <-chan struct{}) {
	for q.tryEnqueueingBatch(done) {
		time.Sleep(time.Second)
	}
	q.batch = nil
	close(q.batchQueue)
}

func (q *queue) tryEnqueueingBatch(done <-chan struct{}) bool {
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
	s.mtx.Lock() // heldout:site
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
	<-s.done // heldout:site
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
			// Take the lock to read the partial batch so that it does
			// not race with Append; on a quiet instance this is how
			// samples get sent.
			s.mtx.Lock() // heldout:site
			var batch []sample
			select {
			case batch = <-q.batchQueue:
			default:
				batch = q.Batch()
			}
			s.mtx.Unlock()
			if len(batch) > 0 {
				_ = s.qm.store(ctx, batch)
			}
			timer.Reset(s.qm.batchSendDeadline)
		}
	}
}
