// Package fixed is the fixed version of cond/goworkflow_40: a step updates
// its status and signals while holding the Cond's lock.
package fixed

import (
	"context"
	"errors"
	"sync"
)

// StepStatus is a step's progress.
type StepStatus int

// Step statuses.
const (
	Pending StepStatus = iota
	Running
	Succeeded
	Failed
)

// Steper is one step of a workflow.
type Steper interface {
	Do(ctx context.Context) error
}

// State is a step's status and error.
type State struct {
	mu     sync.RWMutex
	status StepStatus
	err    error
}

// GetStatus returns the status.
func (s *State) GetStatus() StepStatus {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.status
}

// SetStatus sets the status.
func (s *State) SetStatus(st StepStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status = st
}

// SetError records the step's error.
func (s *State) SetError(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

// Workflow runs steps in dependency order.
type Workflow struct {
	steps        map[Steper]*State
	upstreams    map[Steper][]Steper
	statusChange *sync.Cond
}

// New returns an empty workflow.
func New() *Workflow {
	return &Workflow{
		steps:        make(map[Steper]*State),
		upstreams:    make(map[Steper][]Steper),
		statusChange: sync.NewCond(new(sync.Mutex)),
	}
}

var errStepFailed = errors.New("a step failed")

// Do runs the workflow until every step has finished.
func (w *Workflow) Do(ctx context.Context) error {
	w.statusChange.L.Lock()
	for {
		if done := w.tick(ctx); done {
			break
		}
		w.statusChange.Wait()
	}
	w.statusChange.L.Unlock()
	for _, state := range w.steps {
		if state.GetStatus() == Failed {
			return errStepFailed
		}
	}
	return nil
}

func (w *Workflow) upstreamsDone(step Steper) bool {
	for _, up := range w.upstreams[step] {
		if st := w.steps[up].GetStatus(); st != Succeeded && st != Failed {
			return false
		}
	}
	return true
}

// tick starts the steps that are ready and reports whether all are done.
func (w *Workflow) tick(ctx context.Context) bool {
	done := true
	for step, state := range w.steps {
		switch state.GetStatus() {
		case Pending:
			done = false
			if !w.upstreamsDone(step) {
				continue
			}
			state.SetStatus(Running)
			go func(ctx context.Context, step Steper, state *State) {
				status := Failed
				var err error
				defer func() {
					w.statusChange.L.Lock()
					state.SetStatus(status)
					state.SetError(err)
					w.statusChange.Signal()
					w.statusChange.L.Unlock()
				}()
				if err = step.Do(ctx); err == nil {
					status = Succeeded
				}
			}(ctx, step, state)
		case Running:
			done = false
		}
	}
	return done
}
