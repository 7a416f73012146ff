// Package bug is a held-out kernel (issue 14): a done signal sent after the
// waiter gave up on its timeout.
//
// Upstream: aerospike/aerospike-client-go#126 ("fix locked goroutines")
//
// Bug: waitTillStabilized tends the cluster in a goroutine that sends true
// on the unbuffered doneCh when the node count stops changing, and selects
// on doneCh and a timer; when the timer wins, nobody receives and the
// tending goroutine hangs on its send.
//
// Fix: doneCh has a buffer of one.
package bug

import "time"

// Cluster is the client's view of the server nodes.
type Cluster struct {
	nodes         []string
	clientPolicy  struct{ Timeout time.Duration }
	tendInterval  time.Duration
	connectionErr error
}

func (clstr *Cluster) tend() error { return clstr.connectionErr }

// GetNodes returns the known nodes.
func (clstr *Cluster) GetNodes() []string { return clstr.nodes }

func (clstr *Cluster) waitTillStabilized() {
	count := -1

	doneCh := make(chan bool)

	go func() {
		for {
			if err := clstr.tend(); err != nil {
				return
			}
			if count == len(clstr.GetNodes()) {
				break
			}
			time.Sleep(time.Millisecond)
			count = len(clstr.GetNodes())
		}
		doneCh <- true // heldout:site
	}()

	select {
	case <-time.After(clstr.clientPolicy.Timeout):
		clstr.connectionErr = nil
	case <-doneCh:
	}
}
