// Package fixed is the fixed version of mixed/etcd_7902: doRounds no
// longer holds a shared mutex around validate and release; the election
// runner locks its own state and a follower waits for nextc with no lock
// held.
package fixed

import (
	"fmt"
	"sync"
)

type roundClient struct {
	acquire  func() error
	validate func() error
	release  func() error
}

func doRounds(rcs []roundClient, rounds int) {
	var wg sync.WaitGroup

	wg.Add(len(rcs))
	for i := range rcs {
		go func(rc *roundClient) {
			defer wg.Done()
			for j := 0; j < rounds; j++ {
				for rc.acquire() != nil {
				}
				if err := rc.validate(); err != nil {
					panic(err)
				}
				for rc.release() != nil {
				}
			}
		}(&rcs[i])
	}
	wg.Wait()
}

// election is an in-memory stand-in for an etcd election.
type election struct {
	leader string
}

func runElection(clients, rounds int) {
	rcs := make([]roundClient, clients)
	e := &election{}
	var mu sync.Mutex
	nextc := make(chan struct{})

	for i := range rcs {
		v := fmt.Sprintf("%d", i)
		var rcNextc chan struct{}
		isLeader := false

		rcs[i].acquire = func() error {
			mu.Lock()
			defer mu.Unlock()
			if e.leader == "" {
				e.leader = v
				isLeader = true
			} else {
				isLeader = false
			}
			rcNextc = nextc
			return nil
		}
		rcs[i].validate = func() error {
			mu.Lock()
			defer mu.Unlock()
			if isLeader && e.leader != v {
				return fmt.Errorf("expected leader %q, got %q", v, e.leader)
			}
			return nil
		}
		rcs[i].release = func() error {
			mu.Lock()
			if isLeader {
				e.leader = ""
				close(nextc) // next round is ready
				nextc = make(chan struct{})
				mu.Unlock()
				return nil
			}
			c := rcNextc
			mu.Unlock()
			<-c
			return nil
		}
	}
	doRounds(rcs, rounds)
}

// Run runs the election runner with two clients.
func Run() {
	runElection(2, 10)
}
