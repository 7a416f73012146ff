// Package fixed is the fixed version of select/mco_2412: one goroutine
// owns the status update and the readiness timer, requeues never block,
// and stopping cancels a context and waits for that goroutine.
package fixed

import (
	"context"
	"log"
	"sync"
	"time"
)

// Client reads the observability components and writes the MCO status.
type Client interface {
	ComponentsReady(name string) bool
	UpdateStatus(name string) error
}

// MultiClusterObservability is the MCO custom resource.
type MultiClusterObservability struct {
	Name string
}

func updateStatus(c Client, instance *MultiClusterObservability) {
	if err := c.UpdateStatus(instance.Name); err != nil {
		log.Printf("failed to update MCO status: %v", err)
	}
}

func checkReadyStatus(c Client, instance *MultiClusterObservability) bool {
	return c.ComponentsReady(instance.Name)
}

// StatusReconciler keeps the MCO status up to date.
type StatusReconciler struct {
	client   Client
	instance *MultiClusterObservability
	requeue  chan struct{}
	cancel   context.CancelFunc
	done     chan struct{}
}

// NewStatusReconciler returns a status reconciler for instance.
func NewStatusReconciler(c Client, instance *MultiClusterObservability) *StatusReconciler {
	return &StatusReconciler{
		client:   c,
		instance: instance,
		requeue:  make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
}

// Start runs the reconciler until Stop.
func (s *StatusReconciler) Start(ctx context.Context) {
	ctx, s.cancel = context.WithCancel(ctx)
	go s.run(ctx)
}

func (s *StatusReconciler) run(ctx context.Context) {
	defer close(s.done)
	ticker := time.NewTicker(2 * time.Second)
	defer ticker.Stop()
	ready := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.requeue:
			updateStatus(s.client, s.instance)
		case <-ticker.C:
			if !ready && checkReadyStatus(s.client, s.instance) {
				ready = true
				updateStatus(s.client, s.instance)
			}
		}
	}
}

// Requeue asks for a status update; requests made while one is pending
// are merged.
func (s *StatusReconciler) Requeue() {
	select {
	case s.requeue <- struct{}{}:
	default:
	}
}

// Stop stops the reconciler and waits for it.
func (s *StatusReconciler) Stop() {
	s.cancel()
	<-s.done
}

// Reconciler reconciles the MCO.
type Reconciler struct {
	Client Client

	mu     sync.Mutex
	status *StatusReconciler
}

// Reconcile handles one event for instance.
func (r *Reconciler) Reconcile(ctx context.Context, instance *MultiClusterObservability, deleted bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if deleted {
		if r.status != nil {
			r.status.Stop()
			r.status = nil
		}
		return
	}
	if r.status == nil {
		r.status = NewStatusReconciler(r.Client, instance)
		r.status.Start(ctx)
	}
	r.status.Requeue()
}
