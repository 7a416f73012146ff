// Package bug is a held-out kernel (issue 14): a workflow runner whose main
// loop kicks off step goroutines and then waits on a sync.Cond, while each
// step signals the Cond when it finishes without taking the Cond's lock,
// so a step that finishes before the loop reaches Wait loses its signal.
//
// Upstream: Azure/go-workflow#40 ("fix deadlock in statusChange sync.Cond")
// Round: 6
// Seen: 2026-11-27, development set (helpers read this round-6 kernel to tune the analyzers, after round 6 was measured; round 7 stays held out)
//
// Bug: Do locks statusChange.L and loops: tick starts every step whose
// upstreams are done on its own goroutine (A), then Wait (B). Each step
// goroutine, in a deferred func, sets its status and calls
// statusChange.Signal (C) without statusChange.L. In the order A, C, B the
// Signal finds no waiter and is lost; if that was the last running step,
// nothing signals again and Do waits for ever. The PR gives the two
// snippets and the order; the step and state types are our reduction.
//
// Fix (our reading of the PR): the step goroutine updates its status and
// signals while holding statusChange.L, which Do releases only inside
// Wait, so the signal cannot fall between tick and Wait.
package bug

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
		w.statusChange.Wait() // heldout:site
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
					state.SetStatus(status)
					w.statusChange.Signal() // heldout:site
					state.SetError(err)
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
