// Package fixed is the fixed version of chansend/weaviate_11890: errChan
// has room for one error per participant (our reading of the fix).
//
// Upstream: weaviate/weaviate#11890 ("Fix potential deadlock in backup in big clusters")
// Round: 19
package fixed

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
	errChan := make(chan nodeErr, len(c.Participants))
	g := &errGroup{}
	g.SetLimit(_MaxNumberConns)
	for node := range c.Participants {
		node := node
		host, ok := c.hosts[node]
		if !ok {
			return nil, fmt.Errorf("cannot resolve hostname for %q", node)
		}
		g.Go(func() error {
			if err := c.client.Commit(ctx, host, req); err != nil {
				errChan <- nodeErr{node, fmt.Errorf("commit %q: %w", node, err)}
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
