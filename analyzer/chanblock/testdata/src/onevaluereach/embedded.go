// Package onevaluereach holds stop channels sent one value while several
// goroutines wait for it, reached another way than a field of the
// goroutines' own receiver: a field of an embedded struct, a field of
// another struct the object points to, and goroutines started as method
// values (wg.Go(s.loop), a starter handed s.loop). Session 25, closevar.
package onevaluereach

// lifecycle is embedded by the types that stop: its stop channel is
// reached as m.stopCh, a field of the embedded struct.
type lifecycle struct {
	stopCh chan struct{}
}

// Mux runs a read loop and a write loop that both return only after a
// value on m.stopCh. Close sends one value: one loop returns, the other
// waits on m.stopCh forever.
type Mux struct {
	lifecycle
	in  chan []byte
	out chan []byte
}

func NewMux() *Mux {
	return &Mux{lifecycle: lifecycle{stopCh: make(chan struct{})}, in: make(chan []byte), out: make(chan []byte)}
}

func (m *Mux) Run() {
	go m.readLoop()
	go m.writeLoop()
}

func (m *Mux) readLoop() {
	for {
		select {
		case b := <-m.in:
			_ = b
		case <-m.stopCh:
			return
		}
	}
}

func (m *Mux) writeLoop() {
	for {
		select {
		case b := <-m.out:
			_ = b
		case <-m.stopCh:
			return
		}
	}
}

func (m *Mux) Close() {
	m.stopCh <- struct{}{} // want `one value is sent on field stopCh of lifecycle, but 2 or more goroutines wait for it`
}

// fixedLifecycle and FixedMux: the same, with Close closing the channel.
type fixedLifecycle struct {
	stopCh chan struct{}
}

type FixedMux struct {
	fixedLifecycle
	in  chan []byte
	out chan []byte
}

func NewFixedMux() *FixedMux {
	return &FixedMux{fixedLifecycle: fixedLifecycle{stopCh: make(chan struct{})}, in: make(chan []byte), out: make(chan []byte)}
}

func (m *FixedMux) Run() {
	go m.readLoop()
	go m.writeLoop()
}

func (m *FixedMux) readLoop() {
	for {
		select {
		case b := <-m.in:
			_ = b
		case <-m.stopCh:
			return
		}
	}
}

func (m *FixedMux) writeLoop() {
	for {
		select {
		case b := <-m.out:
			_ = b
		case <-m.stopCh:
			return
		}
	}
}

func (m *FixedMux) Close() {
	close(m.stopCh)
}
