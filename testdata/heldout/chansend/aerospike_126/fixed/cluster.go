// Package fixed is the fixed version of chansend/aerospike_126: the done
// signal goes into a buffer of one.
package fixed

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

	doneCh := make(chan bool, 1)

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
		doneCh <- true
	}()

	select {
	case <-time.After(clstr.clientPolicy.Timeout):
		clstr.connectionErr = nil
	case <-doneCh:
	}
}
