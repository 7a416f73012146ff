package real

// A channel a helper returns, handed on by a wrapper (in a tuple, with an
// error) to a caller that receives once per call in its loop, while the
// helper's goroutine can return without closing it.

// Upstream: hashicorp/vault#8547 (the raft lock's leadership monitor
// received one notification and returned; when that value said "still
// leader" it never closed the leader-lost channel, and the active node,
// which had got that channel through Lock, waited on it forever). Fix:
// the monitor loops until it sees the loss. Reduced in our own words.
type leaderLock struct {
	notify chan bool
}

func (l *leaderLock) watchLoss(stop <-chan struct{}) <-chan struct{} {
	lost := make(chan struct{})
	go func() {
		select {
		case leader := <-l.notify:
			if !leader {
				close(lost)
			}
		case <-stop:
		}
	}()
	return lost
}

func (l *leaderLock) acquire(stop <-chan struct{}) (<-chan struct{}, error) {
	for {
		select {
		case leader := <-l.notify:
			if leader {
				return l.watchLoss(stop), nil
			}
		case <-stop:
			return nil, nil
		}
	}
}

func holdLeadership(l *leaderLock, stop <-chan struct{}) {
	for {
		lost, err := l.acquire(stop)
		if err != nil || lost == nil {
			return
		}
		<-lost // want `watchLoss returns a channel its goroutine sends on or closes only on some paths: on the path that returns at line \d+ nothing is sent or closed, and this receive blocks forever`
	}
}

func (l *leaderLock) watchLossFixed(stop <-chan struct{}) <-chan struct{} {
	lost := make(chan struct{})
	go func() {
		defer close(lost)
		for {
			select {
			case leader := <-l.notify:
				if !leader {
					return
				}
			case <-stop:
				return
			}
		}
	}()
	return lost
}

func (l *leaderLock) acquireFixed(stop <-chan struct{}) (<-chan struct{}, error) {
	return l.watchLossFixed(stop), nil
}

func holdLeadershipFixed(l *leaderLock, stop <-chan struct{}) {
	for {
		lost, err := l.acquireFixed(stop)
		if err != nil || lost == nil {
			return
		}
		<-lost
	}
}

// A variant written differently (ours): a single-result wrapper and an
// error channel that the job goroutine fills only when it fails.
func runJob(job func() error) chan error {
	errc := make(chan error)
	go func() {
		if err := job(); err != nil {
			errc <- err
		}
	}()
	return errc
}

func startJob(job func() error) (chan error, bool) {
	return runJob(job), true
}

func waitJob(job func() error) error {
	errc, ok := startJob(job)
	if !ok {
		return nil
	}
	return <-errc // want `runJob returns a channel its goroutine sends on or closes only on some paths`
}

// Look-alike negative (ours): the receive is in a loop but the channel is
// obtained once, before the loop: not one receive per channel, left alone.
func waitJobTwice(job func() error) error {
	errc, _ := startJob(job)
	var err error
	for i := 0; i < 2; i++ {
		err = <-errc
	}
	return err
}
