package real

import (
	"sync"
	"time"
)

// Upstream: vmware/govmomi#1678. A session keep-alive goroutine defers
// its WaitGroup Done and, when a keep-alive request fails, calls Stop
// itself; Stop closes the stop channel and waits on that WaitGroup, whose
// count still holds the calling goroutine's pending Done. The goroutine
// waits for itself, holding the handler's lock, and every later Start or
// Stop blocks on the lock. Fix: call Done before calling Stop.
type sessionKeeper struct {
	mu   sync.Mutex
	stop chan struct{}
	wg   sync.WaitGroup
	ping func() error
}

func (k *sessionKeeper) Start() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.stop = make(chan struct{})
	k.wg.Add(1)
	go func() {
		defer k.wg.Done()
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-k.stop:
				return
			case <-t.C:
				if err := k.ping(); err != nil {
					k.Stop() // want `this call reaches a Wait \(line \d+\) on the WaitGroup that counts this goroutine, before the goroutine's own Done \(line \d+\) has run`
					return
				}
			}
		}
	}()
}

func (k *sessionKeeper) Stop() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.stop != nil {
		close(k.stop)
		k.wg.Wait()
		k.stop = nil
	}
}

// The fix: Done on each way out, before the Stop.
type sessionKeeperFixed struct {
	mu   sync.Mutex
	stop chan struct{}
	wg   sync.WaitGroup
	ping func() error
}

func (k *sessionKeeperFixed) Start() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.stop = make(chan struct{})
	k.wg.Add(1)
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-k.stop:
				k.wg.Done()
				return
			case <-t.C:
				if err := k.ping(); err != nil {
					k.wg.Done()
					k.Stop()
					return
				}
			}
		}
	}()
}

func (k *sessionKeeperFixed) Stop() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.stop != nil {
		close(k.stop)
		k.wg.Wait()
		k.stop = nil
	}
}

// The same mistake written differently: a worker started as a method
// reaches its own Close through a failure helper ...
type jobWorker struct {
	quit chan struct{}
	wg   sync.WaitGroup
	jobs chan func() error
}

func newJobWorker() *jobWorker {
	w := &jobWorker{quit: make(chan struct{}), jobs: make(chan func() error)}
	w.wg.Add(1)
	go w.loop()
	return w
}

func (w *jobWorker) loop() {
	defer w.wg.Done()
	for {
		select {
		case <-w.quit:
			return
		case j := <-w.jobs:
			if err := j(); err != nil {
				w.fail(err) // want `this call reaches a Wait \(line \d+\) on the WaitGroup that counts this goroutine`
				return
			}
		}
	}
}

func (w *jobWorker) fail(err error) {
	_ = err
	w.Close()
}

func (w *jobWorker) Close() {
	close(w.quit)
	w.wg.Wait()
}

// ... and a local WaitGroup whose shutdown helper, kept in a variable,
// waits; the goroutine calls it before the Done at its end.
func serveUntilNegative(reqs <-chan int) {
	var wg sync.WaitGroup
	done := make(chan struct{})
	shutdown := func() {
		close(done)
		wg.Wait()
	}
	wg.Add(1)
	go func() {
		for r := range reqs {
			if r < 0 {
				shutdown() // want `this call reaches a Wait \(line \d+\) on the WaitGroup that counts this goroutine`
				break
			}
		}
		wg.Done()
	}()
	// The interleaving checker follows shutdown, kept in a variable the
	// goroutine captures (session 26): when reqs is closed with no
	// negative request, done is never closed and this waits forever.
	<-done // want `this receive can block forever: the goroutine running serveUntilNegative's function literal returns`
}

// Look-alikes that must stay silent: the failing goroutine stops the
// worker from a new goroutine; a child's goroutine that stops its parent
// waits on another instance's WaitGroup; and a Done before the shutdown.
type spawnStopper struct {
	quit chan struct{}
	wg   sync.WaitGroup
	jobs chan func() error
}

func (w *spawnStopper) Start() {
	w.quit = make(chan struct{})
	w.jobs = make(chan func() error)
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		for j := range w.jobs {
			if j() != nil {
				go w.Close()
				return
			}
		}
	}()
}

func (w *spawnStopper) Submit(j func() error) { w.jobs <- j }

func (w *spawnStopper) Close() {
	close(w.quit)
	w.wg.Wait()
}

type treeNode struct {
	parent *treeNode
	wg     sync.WaitGroup
	quit   chan struct{}
}

func (n *treeNode) Spawn() *treeNode {
	c := &treeNode{parent: n, quit: make(chan struct{})}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		<-c.quit
		c.parent.Close()
	}()
	return c
}

func (n *treeNode) Close() {
	close(n.quit)
	n.wg.Wait()
}

func serveDoneFirst(reqs <-chan int) {
	var wg sync.WaitGroup
	done := make(chan struct{})
	shutdown := func() {
		close(done)
		wg.Wait()
	}
	wg.Add(1)
	go func() {
		for r := range reqs {
			if r < 0 {
				wg.Done()
				shutdown()
				return
			}
		}
		wg.Done()
	}()
	// Silent for the WaitGroup; the hang when reqs ends with no negative
	// request is the checker's, as in serveUntilNegative.
	<-done // want `this receive can block forever: the goroutine running serveDoneFirst's function literal returns`
}

// Upstream: mulgadc/spinifex#625. A task started with WaitGroup.Go (whose
// Done runs only when the task returns) ends by awaiting the shutdown,
// which waits on the same WaitGroup.
type groupDaemon struct {
	sig func()
	wg  sync.WaitGroup
}

func (d *groupDaemon) await() {
	d.sig()
	d.wg.Wait()
}

func (d *groupDaemon) startCluster() {
	d.await()
}

func (d *groupDaemon) Start() {
	d.wg.Go(func() {
		d.startCluster() // want `this call reaches a Wait \(line \d+\) on the WaitGroup that counts this goroutine, before the task's own Done`
	})
	d.await()
}

// A local group whose task waits on it directly.
func groupWaitsForItself(work func()) {
	var wg sync.WaitGroup
	wg.Go(func() {
		work()
		wg.Wait() // want `this call waits on the WaitGroup that counts this goroutine, before the task's own Done`
	})
	wg.Wait()
}

// The fix: the task returns once the cluster runs; only Start awaits.
type groupDaemonFixed struct {
	sig func()
	wg  sync.WaitGroup
}

func (d *groupDaemonFixed) await() {
	d.sig()
	d.wg.Wait()
}

func (d *groupDaemonFixed) startCluster() {}

func (d *groupDaemonFixed) Start() {
	d.wg.Go(func() {
		d.startCluster()
	})
	d.await()
}

// Look-alikes: the task waits in a goroutine of its own, or on another
// object's group, or on another group of the same object.
type groupPeers struct {
	wg, inner sync.WaitGroup
	peer      *groupPeers
}

func (d *groupPeers) waitInner() { d.inner.Wait() }

func (d *groupPeers) Start() {
	d.wg.Go(func() {
		go d.peer.wg.Wait()
		d.peer.wg.Wait()
		d.waitInner()
		go func() { d.wg.Wait() }()
	})
	d.wg.Wait()
}
