package stuckescape

// The field's channel kept in a local variable: a snapshot the started
// goroutine captures, or the make itself, stored in the field and handed
// to a goroutine.

// Proc's goroutine captures a snapshot of the field and closes it only
// when set-up succeeds; Wait, reading its own snapshot, hangs on a
// failure.
type Proc struct {
	done chan struct{}
}

// Start starts the process.
func (p *Proc) Start() error {
	p.done = make(chan struct{})
	done := p.done
	go func() {
		if err := setup(); err != nil {
			return
		}
		close(done)
	}()
	return nil
}

// Wait waits for the process.
func (p *Proc) Wait() {
	done := p.done
	<-done // want `this receive can block forever`
}

// FixedProc closes the snapshot on every path.
type FixedProc struct {
	done chan struct{}
}

// Start starts the process.
func (p *FixedProc) Start() error {
	p.done = make(chan struct{})
	done := p.done
	go func() {
		defer close(done)
		_ = setup()
	}()
	return nil
}

// Wait waits for the process.
func (p *FixedProc) Wait() {
	done := p.done
	<-done
}

// Job keeps the make in a local too and hands it to a helper goroutine,
// which sends only on success: Result hangs on a failure.
type Job struct {
	result chan int
}

// NewJob starts computing from src.
func NewJob(src source) *Job {
	ch := make(chan int)
	j := &Job{result: ch}
	go compute(src, ch)
	return j
}

func compute(src source, out chan<- int) {
	v, err := src.Get()
	if err != nil {
		return
	}
	out <- v
}

// Result returns the computed value.
func (j *Job) Result() int {
	return <-j.result // want `this receive can block forever`
}

// FixedJob's helper sends a value on every path (zero on a failure).
type FixedJob struct {
	result chan int
}

// NewFixedJob starts computing from src.
func NewFixedJob(src source) *FixedJob {
	ch := make(chan int)
	j := &FixedJob{result: ch}
	go fixedCompute(src, ch)
	return j
}

func fixedCompute(src source, out chan<- int) {
	v, err := src.Get()
	if err != nil {
		out <- 0
		return
	}
	out <- v
}

// Result returns the computed value.
func (j *FixedJob) Result() int {
	return <-j.result
}

// Swapped's snapshot variable may be given another channel, which the
// class does not follow: silent.
type Swapped struct {
	done  chan struct{}
	spare chan struct{}
}

// Start starts the work on one of two channels.
func (s *Swapped) Start(alt bool) error {
	s.done = make(chan struct{})
	s.spare = make(chan struct{})
	done := s.done
	if alt {
		done = s.spare
	}
	go func() {
		if err := setup(); err != nil {
			return
		}
		close(done)
	}()
	return nil
}

// Wait waits for the work.
func (s *Swapped) Wait() { <-s.done }
