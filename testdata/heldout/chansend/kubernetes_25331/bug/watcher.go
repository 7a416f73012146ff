// Package bug is a held-out kernel (issue 14): a send that blocks forever
// after the consumer stopped reading and cancelled the context.
//
// Upstream: kubernetes/kubernetes#25331 ("etcd3/watcher: fix goroutine leak if ctx is canceled")
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: when the etcd watch fails, watchChan.run sends the error result on
// resultChan (buffered, and full once the consumer has stopped reading).
// The reflector may call Stop without draining ResultChan; Stop cancels the
// context, but run is blocked in the plain send and never sees it.
//
// Fix: the send selects on ctx.Done() too.
package bug

import (
	"context"
	"errors"
	"sync"
)

// Event is one watch event.
type Event struct {
	Type   string
	Object any
}

type watchChan struct {
	key        string
	ctx        context.Context
	cancel     context.CancelFunc
	errChan    chan error
	resultChan chan Event
	incoming   chan Event
}

func newWatchChan(ctx context.Context, key string) *watchChan {
	wc := &watchChan{
		key:        key,
		errChan:    make(chan error, 1),
		resultChan: make(chan Event, 100),
		incoming:   make(chan Event, 100),
	}
	wc.ctx, wc.cancel = context.WithCancel(ctx)
	return wc
}

func (wc *watchChan) startWatching() {
	wc.errChan <- errors.New("watch channel closed by etcd")
}

func (wc *watchChan) processEvent(wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		select {
		case e := <-wc.incoming:
			select {
			case wc.resultChan <- e:
			case <-wc.ctx.Done():
				return
			}
		case <-wc.ctx.Done():
			return
		}
	}
}

func (wc *watchChan) run() {
	go wc.startWatching()
	var resultChanWG sync.WaitGroup
	resultChanWG.Add(1)
	go wc.processEvent(&resultChanWG)

	select {
	case err := <-wc.errChan:
		errResult := Event{Type: "ERROR", Object: err}
		wc.resultChan <- errResult // heldout:site
		wc.cancel()
	case <-wc.ctx.Done():
	}
	resultChanWG.Wait()
	close(wc.resultChan)
}

// Stop stops the watch; the consumer need not drain ResultChan.
func (wc *watchChan) Stop() { wc.cancel() }

// ResultChan delivers the watch events.
func (wc *watchChan) ResultChan() <-chan Event { return wc.resultChan }

// watchHandler is the reflector's loop: it stops reading and calls Stop
// when it is told to stop.
func watchHandler(wc *watchChan, stopCh <-chan struct{}) {
	defer wc.Stop()
	for {
		select {
		case <-stopCh: // heldout:site
			return
		case e, ok := <-wc.ResultChan():
			if !ok || e.Type == "ERROR" {
				return
			}
		}
	}
}

// Watch starts a watch and its consumer.
func Watch(ctx context.Context, key string, stopCh <-chan struct{}) {
	wc := newWatchChan(ctx, key)
	go wc.run()
	go watchHandler(wc, stopCh)
}
