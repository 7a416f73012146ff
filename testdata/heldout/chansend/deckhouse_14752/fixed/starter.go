// Package fixed is the fixed version of chansend/deckhouse_14752: the
// tasks' error channel has room for every task's error, so each failing
// task returns and the starter's wait ends.
package fixed

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Task is one job of the daemon.
type Task interface {
	Name() string
	Run(ctx context.Context, errCh chan error)
}

// Starter runs the tasks and stops them all on the first error.
type Starter struct {
	tasks    []Task
	ctx      context.Context
	cancel   context.CancelFunc
	stopped  bool
	finished chan struct{}
	err      error
}

// NewStarter returns a starter for tasks.
func NewStarter(tasks ...Task) *Starter {
	return &Starter{tasks: tasks, finished: make(chan struct{})}
}

// Start runs the tasks and returns when all of them are done.
func (s *Starter) Start(ctx context.Context) {
	s.ctx, s.cancel = context.WithCancel(ctx)

	var wg sync.WaitGroup
	errCh := make(chan error, 10)

	for i := range s.tasks {
		wg.Add(1)
		go func(task Task) {
			defer wg.Done()
			task.Run(s.ctx, errCh)
			fmt.Printf("Task %s done\n", task.Name())
		}(s.tasks[i])
	}

	// Error handler: cancel tasks on error, but wait until all tasks are done.
	go func() {
		select {
		case err := <-errCh:
			s.err = err
			s.Stop()
		case <-s.ctx.Done():
			return
		}
	}()

	wg.Wait()
	close(s.finished)
}

// Stop cancels the tasks' context.
func (s *Starter) Stop() {
	if s.stopped {
		return
	}
	fmt.Printf("Stop all tasks...\n")
	s.cancel()
	s.stopped = true
}

// Done is closed when every task has returned.
func (s *Starter) Done() <-chan struct{} { return s.finished }

// Err returns the first error a task reported.
func (s *Starter) Err() error { return s.err }

// Files writes the report files of the status reporter.
type Files interface {
	Create() error
	Cleanup()
}

// StatusReporter reports that graceful shutdown is enabled until the
// inhibitors are unlocked.
type StatusReporter struct {
	Files              Files
	UnlockInhibitorsCh <-chan struct{}
}

func (s *StatusReporter) Name() string { return "statusReporter" }

func (s *StatusReporter) Run(ctx context.Context, errCh chan error) {
	if err := s.Files.Create(); err != nil {
		errCh <- fmt.Errorf("statusReporter create files: %w", err)
		return
	}
	select {
	case <-ctx.Done():
		fmt.Printf("statusReporter(s1): stop on global exit\n")
	case <-s.UnlockInhibitorsCh:
		fmt.Printf("statusReporter(s1): inhibitors unlocked, remove file reports\n")
	}
	s.Files.Cleanup()
}

// NodeCondition patches the Node's GracefulShutdownPostpone condition.
type NodeCondition interface {
	Set(node string) error
	Unset(node string) error
}

// NodeConditionSetter holds the Node condition while shutdown is
// inhibited.
type NodeConditionSetter struct {
	NodeName           string
	Condition          NodeCondition
	UnlockInhibitorsCh <-chan struct{}
}

func (n *NodeConditionSetter) Name() string { return "nodeConditionSetter" }

func (n *NodeConditionSetter) Run(ctx context.Context, errCh chan error) {
	if err := n.Condition.Set(n.NodeName); err != nil {
		errCh <- fmt.Errorf("nodeConditionSetter patch Node to set condition: %w", err)
		return
	}
	select {
	case <-ctx.Done():
		fmt.Printf("nodeConditionSetter(s2): stop on global exit\n")
	case <-n.UnlockInhibitorsCh:
		fmt.Printf("nodeConditionSetter(s2): inhibitors unlocked, unset Node condition\n")
	}
	if err := n.Condition.Unset(n.NodeName); err != nil {
		fmt.Printf("nodeConditionSetter(s2): failed to unset condition on Node: %v\n", err)
	}
}

// Inhibitor is the systemd shutdown inhibitor lock.
type Inhibitor interface {
	Lock() error
	Unlock()
	PodsGone() (bool, error)
}

// ShutdownInhibitor holds the systemd lock until the labelled Pods are
// gone, then unlocks the other tasks.
type ShutdownInhibitor struct {
	Inhibitor          Inhibitor
	Interval           time.Duration
	UnlockInhibitorsCh chan struct{}
}

func (s *ShutdownInhibitor) Name() string { return "shutdownInhibitor" }

func (s *ShutdownInhibitor) Run(ctx context.Context, errCh chan error) {
	defer close(s.UnlockInhibitorsCh)
	if err := s.Inhibitor.Lock(); err != nil {
		errCh <- fmt.Errorf("shutdownInhibitor lock: %w", err)
		return
	}
	defer s.Inhibitor.Unlock()

	ticker := time.NewTicker(s.Interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			gone, err := s.Inhibitor.PodsGone()
			if err != nil {
				errCh <- fmt.Errorf("shutdownInhibitor list pods: %w", err)
				return
			}
			if gone {
				return
			}
		}
	}
}

// Run is the daemon's main: it starts the tasks and waits for them.
func Run(ctx context.Context, node string, files Files, cond NodeCondition, inh Inhibitor) error {
	unlock := make(chan struct{})
	starter := NewStarter(
		&ShutdownInhibitor{Inhibitor: inh, Interval: time.Second, UnlockInhibitorsCh: unlock},
		&StatusReporter{Files: files, UnlockInhibitorsCh: unlock},
		&NodeConditionSetter{NodeName: node, Condition: cond, UnlockInhibitorsCh: unlock},
	)
	go starter.Start(ctx)
	<-starter.Done()
	return starter.Err()
}
