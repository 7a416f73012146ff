// Package bug is a held-out kernel (issue 14): the MultiClusterObservability
// operator keeps its status up to date with two goroutines that signal
// each other over unbuffered channels from inside their select loops; when
// the status goroutine, having just seen the instance ready, sends on
// stopCheckReady while the ready-check goroutine, having seen the same,
// sends on requeueStatusUpdate, neither is back at its select to receive,
// and both block for ever, taking the reconciler's next requeue with them.
//
// Upstream: stolostron/multicluster-observability-operator#2412 ("implement event-driven StatusReconciler")
// Round: 13
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: StartStatusUpdate starts, once, a status goroutine that selects on
// stopStatusUpdate and requeueStatusUpdate: on a requeue it updates the
// status and, if the ready checker is running and the instance is ready,
// sends on stopCheckReady. It also starts, once, a ready-check goroutine
// that selects on stopCheckReady and a two-second timer: when the timer
// fires and the instance is ready it sends on requeueStatusUpdate to get a
// last status update. The three channels are unbuffered package
// variables. Each goroutine's send sits in a case body, outside its
// select, so when both decide at once that the instance is ready, each
// waits for the other to come back to its select; the reconciler, which
// requeues a status update on every reconcile, then blocks too. The
// goroutine bodies follow the PR's description and the code shown in the
// review of #573 and #733; the Kubernetes client and the MCO instance are
// reduced to an interface and a struct, and the running flags are atomic
// here (plain booleans upstream).
//
// Fix (stolostron/multicluster-observability-operator#2412): the two
// goroutines are replaced by one event-driven StatusReconciler. Our
// reduction of it: a single goroutine owns both the status update and the
// readiness timer, requeues go through a one-slot channel with a send
// that never blocks, and Stop cancels a context and waits for the
// goroutine.
package bug

import (
	"log"
	"sync/atomic"
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

var (
	stopStatusUpdate    = make(chan struct{})
	stopCheckReady      = make(chan struct{})
	requeueStatusUpdate = make(chan struct{})

	updateStatusIsRunning      atomic.Bool
	updateReadyStatusIsRunning atomic.Bool
)

func updateStatus(c Client, instance *MultiClusterObservability) {
	if err := c.UpdateStatus(instance.Name); err != nil {
		log.Printf("failed to update MCO status: %v", err)
	}
}

func checkReadyStatus(c Client, instance *MultiClusterObservability) bool {
	return c.ComponentsReady(instance.Name)
}

// StartStatusUpdate starts the goroutines that keep the MCO status up to
// date, if they are not running yet.
func StartStatusUpdate(c Client, instance *MultiClusterObservability) {
	if updateStatusIsRunning.CompareAndSwap(false, true) {
		go func() {
			for {
				select {
				case <-stopStatusUpdate:
					updateStatusIsRunning.Store(false)
					if updateReadyStatusIsRunning.Load() {
						stopCheckReady <- struct{}{}
					}
					log.Print("status update goroutine is stopped.")
					return
				case <-requeueStatusUpdate:
					log.Print("status update goroutine is triggered.")
					updateStatus(c, instance)
					if updateReadyStatusIsRunning.Load() && checkReadyStatus(c, instance) {
						log.Print("send signal to stop status check ready goroutine because MCO status is ready")
						stopCheckReady <- struct{}{} // heldout:site
					}
				}
			}
		}()
	}
	if updateReadyStatusIsRunning.CompareAndSwap(false, true) {
		go func() {
			for {
				select {
				case <-stopCheckReady:
					updateReadyStatusIsRunning.Store(false)
					log.Print("check status ready goroutine is stopped.")
					return
				case <-time.After(2 * time.Second):
					log.Print("check status ready goroutine is triggered.")
					if checkReadyStatus(c, instance) {
						requeueStatusUpdate <- struct{}{} // heldout:site
					}
				}
			}
		}()
	}
}

// RequeueStatusUpdate asks the status goroutine for a status update.
func RequeueStatusUpdate() {
	requeueStatusUpdate <- struct{}{} // heldout:site
}

// StopStatusUpdate stops the status goroutines when the MCO is deleted.
func StopStatusUpdate() {
	if updateStatusIsRunning.Load() {
		stopStatusUpdate <- struct{}{}
	}
}

// Reconciler reconciles the MCO.
type Reconciler struct {
	Client Client
}

// Reconcile handles one event for instance.
func (r *Reconciler) Reconcile(instance *MultiClusterObservability, deleted bool) {
	if deleted {
		StopStatusUpdate()
		return
	}
	StartStatusUpdate(r.Client, instance)
	RequeueStatusUpdate()
}
