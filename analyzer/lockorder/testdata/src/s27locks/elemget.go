package s27locks

import "sync"

// A framer holds its lock while it pops a frame from each active stream
// it looks up through the session (a lookup method returning an element
// of the session's map); a stream's close holds the stream's lock while it
// tells the framer (through the session) that it has data. Stream then
// framer, framer then stream: by class.
type streamGetter interface {
	getStream(id int) (*stream, error)
}

type stream struct {
	mu     sync.Mutex
	id     int
	fr     *framer
	queued []byte
	fin    bool
}

func (s *stream) pop() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.queued
	s.queued = nil
	return b
}

func (s *stream) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fin = true
	s.fr.add(s.id) // want `lock order inversion by lock class: close locks s.mu \(line \d+\) then s.fr.mu inside s.fr.add`
}

type framer struct {
	mu     sync.Mutex
	getter streamGetter
	active []int
}

func (f *framer) add(id int) {
	f.mu.Lock()
	f.active = append(f.active, id)
	f.mu.Unlock()
}

func (f *framer) frames() [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out [][]byte
	for _, id := range f.active {
		str, err := f.getter.getStream(id)
		if str == nil || err != nil {
			continue
		}
		out = append(out, str.pop())
	}
	return out
}

type conn2 struct {
	mu      sync.Mutex
	streams map[int]*stream
}

func (c *conn2) getStream(id int) (*stream, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.streams[id], nil
}

// Look-alike: a framer of another kind that pops outside its lock, from
// streams whose close takes no framer lock.
type queue struct {
	mu    sync.Mutex
	items map[int]*item
	order []int
}

type item struct {
	mu   sync.Mutex
	data []byte
}

func (q *queue) lookup(id int) *item {
	return q.items[id]
}

func (it *item) take() []byte {
	it.mu.Lock()
	defer it.mu.Unlock()
	return it.data
}

func (q *queue) drain() [][]byte {
	q.mu.Lock()
	ids := append([]int(nil), q.order...)
	q.mu.Unlock()
	var out [][]byte
	for _, id := range ids {
		if it := q.lookup(id); it != nil {
			out = append(out, it.take())
		}
	}
	return out
}

func (q *queue) peek(id int) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if it := q.lookup(id); it != nil {
		return len(it.take()) // queue then item, in one order only
	}
	return 0
}
