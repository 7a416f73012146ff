// Package bug is a held-out kernel (issue 14): the backup coordinator's
// commit workers send their errors on an unbuffered channel whose reader
// starts only after every worker has been submitted, and submitting waits
// for a free slot of a limited group, so with more nodes than slots and
// failing commits both sides wait for ever.
//
// Upstream: weaviate/weaviate#11890 ("Fix potential deadlock in backup in big clusters")
// Round: 19
//
// Bug: commitAll (usecases/backup/coordinator.go) submits one g.Go per
// participant node with g.SetLimit(_MaxNumberConns) (16); each worker
// sends its error on the unbuffered errChan. The range over errChan only
// starts after the submit loop. The PR: "If #nodes > 16 and the first 16
// commits all error, those workers block on errChan <- (no consumer yet)
// while the submit loop blocks in g.Go (limit full, no slot frees) ->
// deadlock." Reduced from coordinator.go; the limited error group
// (weaviate's wrapper of x/sync/errgroup) is a small stdlib stand-in with
// the same SetLimit/Go/Wait behaviour, and the participant bookkeeping,
// the status requests and the abort path are left out.
//
// Fix: the PR text gives the cause, not the diff; the fixed version is our
// reading: errChan is buffered to the number of participants, so that no
// worker waits for the consumer.
package bug

import (
	"context"
	"fmt"
	"sync"
)

const _MaxNumberConns = 16

// errGroup runs functions on at most limit goroutines at once; Go waits
// for a free slot, as errgroup.Group does after SetLimit.
type errGroup struct {
	wg  sync.WaitGroup
	sem chan struct{}
}

func (g *errGroup) SetLimit(n int) { g.sem = make(chan struct{}, n) }

func (g *errGroup) Go(f func() error) {
	if g.sem != nil {
		g.sem <- struct{}{}
	}
	g.wg.Add(1)
	go func() {
		defer g.done()
		_ = f()
	}()
}

func (g *errGroup) done() {
	if g.sem != nil {
		<-g.sem
	}
	g.wg.Done()
}

func (g *errGroup) Wait() error {
	g.wg.Wait()
	return nil
}

// StatusRequest asks a participant to commit a backup.
type StatusRequest struct {
	Method  string
	ID      string
	Backend string
}

// client talks to the participant nodes.
type client interface {
	Commit(ctx context.Context, host string, req *StatusRequest) error
}

type participantStatus struct {
	Status string
	Reason string
}

type coordinator struct {
	client       client
	Participants map[string]participantStatus
	hosts        map[string]string
}

// commitAll tells every participant to commit; it returns the nodes whose
// commit failed.
func (c *coordinator) commitAll(ctx context.Context, req *StatusRequest) (map[string]string, error) {
	type nodeErr struct {
		node string
		err  error
	}
	errChan := make(chan nodeErr)
	g := &errGroup{}
	g.SetLimit(_MaxNumberConns)
	for node := range c.Participants {
		node := node
		host, ok := c.hosts[node]
		if !ok {
			return nil, fmt.Errorf("cannot resolve hostname for %q", node)
		}
		g.Go(func() error { // heldout:site
			if err := c.client.Commit(ctx, host, req); err != nil {
				errChan <- nodeErr{node, fmt.Errorf("commit %q: %w", node, err)} // heldout:site
			}
			return nil
		})
	}
	go func() {
		g.Wait()
		close(errChan)
	}()

	failed := make(map[string]string)
	for x := range errChan {
		failed[x.node] = x.err.Error()
		st := c.Participants[x.node]
		st.Status = "FAILED"
		st.Reason = x.err.Error()
		c.Participants[x.node] = st
	}
	return failed, nil
}
