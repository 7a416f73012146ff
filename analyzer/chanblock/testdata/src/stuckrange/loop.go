package stuckrange

// journal's writer goroutine takes entries until the channel reports it
// closed (the two-value receive), then closes it itself "to be safe".
// Nothing else closes entries: the writer never leaves its loop.
type journal struct {
	entries chan []byte
	sink    [][]byte
}

func newJournal() *journal {
	j := &journal{entries: make(chan []byte)}
	go j.write()
	return j
}

func (j *journal) write() {
	for {
		e, ok := <-j.entries // want `only a close of field entries ends this loop`
		if !ok {
			break
		}
		j.sink = append(j.sink, e)
	}
	close(j.entries)
}

// Append queues an entry.
func (j *journal) Append(e []byte) { j.entries <- e }

// UseJournal is the package's use of the journal.
func UseJournal() {
	j := newJournal()
	j.Append([]byte("a"))
}

// tally counts ticks with the value thrown away (a blank identifier) and
// closes its channel after the loop.
type tally struct {
	ticks chan struct{}
	n     int
}

func newTally() *tally {
	t := &tally{ticks: make(chan struct{}, 4)}
	go t.count()
	return t
}

func (t *tally) count() {
	for {
		if _, ok := <-t.ticks; !ok { // want `only a close of field ticks ends this loop`
			break
		}
		t.n++
	}
	close(t.ticks)
}

// Tick counts one.
func (t *tally) Tick() { t.ticks <- struct{}{} }

// UseTally is the package's use of the tally.
func UseTally() {
	t := newTally()
	t.Tick()
}

// Meter is handed out as an interface its constructor builds from the
// concrete type; its sampler goroutine loops to a close that only runs
// after the loop.
type Meter interface {
	Observe(v float64)
}

type meter struct {
	samples chan float64
	total   float64
}

// NewMeter starts the sampler.
func NewMeter() Meter {
	m := &meter{samples: make(chan float64, 2)}
	go m.sample()
	return m
}

func (m *meter) sample() {
	for v := range m.samples { // want `only a close of field samples ends this loop`
		m.total += v
	}
}

func (m *meter) Observe(v float64) { m.samples <- v }

// Close ends the meter once its samples are drained.
func (m *meter) Close() {
	for {
		_, ok := <-m.samples
		if !ok {
			close(m.samples)
			return
		}
	}
}
