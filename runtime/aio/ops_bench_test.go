package aio_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// getLoop is a lowered consumer, as the rewriter generates one for
//
//	for range n { v, err := q.Get(t); ...; sum += v }
type getLoop struct {
	q       *aio.Queue[int]
	n, i    int
	sum     int
	started bool
	g       aio.QueueGet[int]
}

func (m *getLoop) Step(t *aio.Task, thrown error) (aio.Waitable, bool, int, error) {
	for {
		if !m.started {
			if m.i == m.n {
				return nil, true, m.sum, nil
			}
			m.g.Start(t, m.q)
			m.started, thrown = true, nil
		}
		if w, s := m.g.Step(t, thrown); s {
			return w, false, 0, nil
		}
		v, err := m.g.Result()
		m.started = false
		if err != nil {
			return nil, true, 0, err
		}
		m.sum += v
		m.i++
	}
}

// BenchmarkQueuePingPong passes b.N items through a queue of one slot,
// from a direct-mode producer to a consumer whose Get is direct or
// lowered (a QueueGet stepped by a machine): each Get waits, so both pay
// a waiter per item. The lowered consumer must allocate no more than the
// direct one.
func BenchmarkQueuePingPong(b *testing.B) {
	for _, lowered := range []bool{false, true} {
		name := "direct"
		if lowered {
			name = "lowered"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			_, err := aio.Run(aio.Async(func(t *aio.Task) (int, error) {
				q := aio.NewQueue[int](1)
				var c *aio.Coroutine[int]
				if lowered {
					c = aio.FromMachine[int](&getLoop{q: q, n: b.N})
				} else {
					c = aio.Async(func(t *aio.Task) (int, error) {
						sum := 0
						for range b.N {
							v, err := q.Get(t)
							if err != nil {
								return 0, err
							}
							sum += v
						}
						return sum, nil
					})
				}
				h := aio.CreateTask(t, c)
				b.ResetTimer()
				for i := range b.N {
					if err := q.Put(t, i); err != nil {
						return 0, err
					}
				}
				return aio.Await(t, h)
			}))
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}
