// Package bug is a held-out kernel (issue 14): etcd-runner's election
// mode deadlocks in doRounds. doRounds runs every round client's
// validate and release under one shared mutex; the election runner's
// release, for a follower, waits until the round's leader closes nextc,
// and the leader can only close nextc from its own release, which needs
// the same mutex.
//
// Upstream: etcd-io/etcd#7902 ("etcd-runner: remove mutex on validate() and release() in global.go")
// Round: 15
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: the PR: "suppose election runner has two clients A and B. if A is
// a leader and B is a follower, B obtains lock for release() and waits
// for A to close(nextc) which signal next round is ready. However, A can
// only close(nextc) if it obtains lock for release(); hence deadlock."
// roundClient, doRounds and the election runner's acquire/validate/
// release closures over nextc follow tools/functional-tester/etcd-runner
// (global.go, election_command.go); the etcd election is our reduction
// to an in-memory leader slot.
//
// Fix: doRounds no longer wraps validate and release in its mutex; each
// runner does its own locking, and the election runner's follower waits
// for nextc without holding any lock.
package bug

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
	var mu sync.Mutex
	var wg sync.WaitGroup

	wg.Add(len(rcs))
	for i := range rcs {
		go func(rc *roundClient) {
			defer wg.Done()
			for j := 0; j < rounds; j++ {
				for rc.acquire() != nil {
				}

				mu.Lock() // heldout:site
				if err := rc.validate(); err != nil {
					panic(err)
				}
				mu.Unlock()

				mu.Lock()                 // heldout:site
				for rc.release() != nil { // heldout:site
				}
				mu.Unlock()
			}
		}(&rcs[i])
	}
	wg.Wait() // heldout:site
}

// election is an in-memory stand-in for an etcd election.
type election struct {
	leader string
}

func runElection(clients, rounds int) {
	rcs := make([]roundClient, clients)
	e := &election{}
	nextc := make(chan struct{})

	for i := range rcs {
		v := fmt.Sprintf("%d", i)
		var rcNextc chan struct{}
		isLeader := false

		rcs[i].acquire = func() error {
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
			if isLeader && e.leader != v {
				return fmt.Errorf("expected leader %q, got %q", v, e.leader)
			}
			return nil
		}
		rcs[i].release = func() error {
			if isLeader {
				e.leader = ""
				close(nextc) // next round is ready
				nextc = make(chan struct{})
				return nil
			}
			<-rcNextc // heldout:site
			return nil
		}
	}
	doRounds(rcs, rounds)
}

// Run runs the election runner with two clients.
func Run() {
	runElection(2, 10)
}
