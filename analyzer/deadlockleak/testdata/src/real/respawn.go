package real

import (
	"context"
	"sync"
)

// hashicorp/go-eventlogger#7: the graph routes an event through its nodes
// depth first, starting a goroutine per child node (go g.doProcess(...,
// statusChan, wg)); each sink sends its status plainly on an unbuffered
// channel, and the collector leaves its loop when the context is done.
// The senders still running block for ever, and so does wg.Wait. Fix: the
// sends select on ctx.Done() too.
type pipeNode struct {
	name string
	next []*pipeNode
	proc func(context.Context) error
}

type pipeGraph struct {
	roots []*pipeNode
}

func (g *pipeGraph) visit(ctx context.Context, n *pipeNode, status chan string, wg *sync.WaitGroup) {
	defer wg.Done()
	if err := n.proc(ctx); err != nil {
		status <- err.Error() // want `this goroutine sends on an unbuffered channel whose only receiver, the select in process \(line \d+\), can take another case and return first`
		return
	}
	if len(n.next) == 0 {
		status <- n.name // want `the select in process \(line \d+\), can take another case and return first`
		return
	}
	for _, c := range n.next {
		wg.Add(1)
		go g.visit(ctx, c, status, wg)
	}
}

func (g *pipeGraph) process(ctx context.Context) []string {
	status := make(chan string)
	var wg sync.WaitGroup
	go func() {
		for _, r := range g.roots {
			wg.Add(1)
			g.visit(ctx, r, status, &wg)
		}
		wg.Wait()
		close(status)
	}()
	var got []string
	done := false
	for !done {
		select {
		case <-ctx.Done():
			done = true
		case s, ok := <-status:
			if !ok {
				done = true
			}
			got = append(got, s)
		}
	}
	return got
}

// The fix.
func (g *pipeGraph) visitFixed(ctx context.Context, n *pipeNode, status chan string, wg *sync.WaitGroup) {
	defer wg.Done()
	if len(n.next) == 0 {
		select {
		case status <- n.name:
		case <-ctx.Done():
		}
		return
	}
	for _, c := range n.next {
		wg.Add(1)
		go g.visitFixed(ctx, c, status, wg)
	}
}

func (g *pipeGraph) processFixed(ctx context.Context) []string {
	status := make(chan string)
	var wg sync.WaitGroup
	go func() {
		for _, r := range g.roots {
			wg.Add(1)
			g.visitFixed(ctx, r, status, &wg)
		}
		wg.Wait()
		close(status)
	}()
	var got []string
	done := false
	for !done {
		select {
		case <-ctx.Done():
			done = true
		case s, ok := <-status:
			if !ok {
				done = true
			}
			got = append(got, s)
		}
	}
	return got
}

// A variant: a plain function walks a tree, sending each node's size and
// starting itself per child; the maker takes a few values and gives up on
// its context.
type sizeTree struct {
	size int
	kids []*sizeTree
}

func sizes(t *sizeTree, out chan<- int) {
	out <- t.size // want `the select in firstSizes \(line \d+\), can take another case and return first`
	for _, k := range t.kids {
		go sizes(k, out)
	}
}

func firstSizes(ctx context.Context, t *sizeTree, n int) (int, error) {
	out := make(chan int)
	go sizes(t, out)
	total := 0
	for i := 0; i < n; i++ {
		select {
		case s := <-out:
			total += s
		case <-ctx.Done():
			return total, ctx.Err()
		}
	}
	return total, nil
}

// A variant: a method scans directories, sending each entry and starting
// itself per entry; a goroutine reads until a stop channel fires.
type dirScanner struct{ list func(string) []string }

func (s *dirScanner) scan(dir string, found chan<- string) {
	for _, e := range s.list(dir) {
		found <- e // want `the select in watchDirs\$1 \(line \d+\), can take another case and return first`
		go s.scan(dir+"/"+e, found)
	}
}

func (s *dirScanner) watchDirs(root string, stop <-chan struct{}, report func(string)) {
	found := make(chan string)
	go s.scan(root, found)
	go func() {
		for {
			select {
			case f := <-found:
				report(f)
			case <-stop:
				return
			}
		}
	}()
}

// Look-alike: each respawned goroutine also receives (a relay passing a
// token on): there is no single receiver to abandon the senders.
func relayToken(c chan int, n int) {
	v := <-c
	if n > 0 {
		go relayToken(c, n-1)
	}
	c <- v + 1
}

func passToken(ctx context.Context) int {
	c := make(chan int)
	go relayToken(c, 3)
	c <- 0
	select {
	case v := <-c:
		return v
	case <-ctx.Done():
		return -1
	}
}
