package stuck

import "sync/atomic"

type queue struct{ ch chan int }

func (q *queue) pop() []int { return nil }

// Consumers loop on another channel until a shared count is reached: the
// loop around the send is driven by that channel, not this one.
func consumers(q *queue, numCons int, total int64) {
	var count atomic.Int64
	cdone := make(chan struct{}, numCons)
	for i := 0; i < numCons; i++ {
		go func() {
			for range q.ch {
				for range q.pop() {
					if count.Add(1) >= total {
						cdone <- struct{}{}
						return
					}
				}
			}
		}()
	}
	<-cdone
	for i := 1; i < numCons; i++ {
		q.ch <- 0
		<-cdone
	}
}

func newQueue() *queue { return &queue{ch: make(chan int, 8)} }
