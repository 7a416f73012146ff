package aio

import "io"

// ioState is what a loop's I/O leaves open: servers and connections,
// closed by Loop.Close. It is only used on the loop's goroutine, or by
// Close when the loop is not running.
type ioState struct {
	open map[io.Closer]struct{}
}

func (s *ioState) add(c io.Closer) {
	if s.open == nil {
		s.open = map[io.Closer]struct{}{}
	}
	s.open[c] = struct{}{}
}

func (s *ioState) remove(c io.Closer) { delete(s.open, c) }

func (s *ioState) closeAll() {
	for c := range s.open {
		c.Close()
	}
	s.open = nil
}
