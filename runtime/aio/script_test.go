package aio_test

import "github.com/asyncgo/asyncgo/runtime/aio"

// stepper is a resumable operation of aio (see resume.go) as a lowered
// body steps it: Awaiter, Sleeper, LockAcquire, Gathering, ...
type stepper interface {
	Step(t *aio.Task, thrown error) (w aio.Waitable, suspend bool)
}

// script is a lowered body written by hand, in stages, as the rewriter
// generates one: a stage runs start, which may return an operation that
// the body steps (suspending on what it returns) until it is over, then
// end, which reads the operation's result; an error from end ends the
// body with that error. Deferred functions run when the body ends, the
// last first.
type script struct {
	stages  []stage
	i       int
	started bool
	op      stepper
	defers  []func()
}

type stage struct {
	start func(t *aio.Task) stepper
	end   func() error
}

// then adds a stage.
func (s *script) then(start func(t *aio.Task) stepper, end func() error) *script {
	s.stages = append(s.stages, stage{start, end})
	return s
}

// do adds a stage that runs f and does not suspend.
func (s *script) do(f func()) *script {
	return s.then(func(*aio.Task) stepper { f(); return nil }, nil)
}

// deferred defers f, from the stage running.
func (s *script) deferred(f func()) { s.defers = append(s.defers, f) }

// Step implements aio.Machine.
func (s *script) Step(t *aio.Task, thrown error) (aio.Waitable, bool, unit, error) {
	for s.i < len(s.stages) {
		st := s.stages[s.i]
		if !s.started {
			s.started, s.op, thrown = true, st.start(t), nil
		}
		if s.op != nil {
			if w, suspend := s.op.Step(t, thrown); suspend {
				return w, false, unit{}, nil
			}
		}
		s.i, s.started, s.op, thrown = s.i+1, false, nil, nil
		if st.end != nil {
			if err := st.end(); err != nil {
				return s.finish(err)
			}
		}
	}
	return s.finish(nil)
}

func (s *script) finish(err error) (aio.Waitable, bool, unit, error) {
	for i := len(s.defers) - 1; i >= 0; i-- {
		s.defers[i]()
	}
	s.defers = nil
	return nil, true, unit{}, err
}
