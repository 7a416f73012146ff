// Package bug is a held-out kernel (issue 14): a query node's tSafe, a
// per-channel safe timestamp fed by the flow graphs through a channel
// and folded in by a goroutine under tSafeMu. Closing it, after a wait
// group was added so that the goroutine is gone before the watchers'
// channels are closed, holds tSafeMu while it waits for the goroutine;
// the goroutine, having just received an update, waits for tSafeMu.
//
// Upstream: milvus-io/milvus#8567 ("Fix tsafe close deadlock", issue milvus-io/milvus#8566)
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: #8545 ("Add waitgroup for tsafe close logic ... Preventing send on
// closed channel") made the goroutine started by tSafe.start report to a
// WaitGroup and tSafe.close wait for it; close already took
// ts.tSafeMu (locked with a deferred unlock) before cancelling the
// context and closing the watchers' notify channels, and the goroutine
// handles each tSafeMsg under ts.tSafeMu. #8566 reports the unit test
// timing out in a deadlock; #8567: "Change lock range to fix dead lock
// while tsafe.Close". The code of close after #8545 is our reconstruction
// from the code before it and the two PRs. set, which upstream held
// tSafeMu while sending on the buffered tSafeChan, sends without the lock
// and gives up once the tSafe is closed in our reduction, so that a full
// channel does not block the kernel for another reason.
//
// Fix: close cancels the context and waits for the goroutine before it
// takes tSafeMu to close the watchers.
package bug

import (
	"context"
	"math"
	"sync"
)

// Timestamp is a hybrid timestamp.
type Timestamp = uint64

// UniqueID is a collection or partition id.
type UniqueID = int64

type tSafeWatcher struct {
	notifyChan chan bool
}

func newTSafeWatcher() *tSafeWatcher {
	return &tSafeWatcher{notifyChan: make(chan bool, 1)}
}

// notify marks an update; the caller holds the tSafe's lock.
func (watcher *tSafeWatcher) notify() {
	if len(watcher.notifyChan) == 0 {
		watcher.notifyChan <- true
	}
}

func (watcher *tSafeWatcher) watcherChan() <-chan bool {
	return watcher.notifyChan
}

type tSafeMsg struct {
	t  Timestamp
	id UniqueID
}

type tSafe struct {
	ctx     context.Context
	cancel  context.CancelFunc
	channel string

	tSafeMu     sync.Mutex // guards the fields below
	tSafe       Timestamp
	watcherList []*tSafeWatcher
	tSafeRecord map[UniqueID]Timestamp

	tSafeChan chan tSafeMsg
	wg        sync.WaitGroup
}

func newTSafe(ctx context.Context, channel string) *tSafe {
	ctx1, cancel := context.WithCancel(ctx)
	return &tSafe{
		ctx:         ctx1,
		cancel:      cancel,
		channel:     channel,
		tSafeChan:   make(chan tSafeMsg, 4096),
		tSafeRecord: map[UniqueID]Timestamp{},
	}
}

// start folds the updates into the safe timestamp until close.
func (ts *tSafe) start() {
	ts.wg.Add(1)
	go func() {
		defer ts.wg.Done()
		for {
			select {
			case <-ts.ctx.Done():
				return
			case m := <-ts.tSafeChan:
				ts.tSafeMu.Lock() // heldout:site
				ts.tSafeRecord[m.id] = m.t
				var tmpT Timestamp = math.MaxUint64
				for _, t := range ts.tSafeRecord {
					if t <= tmpT {
						tmpT = t
					}
				}
				ts.tSafe = tmpT
				for _, watcher := range ts.watcherList {
					watcher.notify()
				}
				ts.tSafeMu.Unlock()
			}
		}
	}()
}

func (ts *tSafe) registerTSafeWatcher(t *tSafeWatcher) {
	ts.tSafeMu.Lock()
	defer ts.tSafeMu.Unlock()
	ts.watcherList = append(ts.watcherList, t)
}

func (ts *tSafe) removeRecord(partitionID UniqueID) {
	ts.tSafeMu.Lock()
	defer ts.tSafeMu.Unlock()
	delete(ts.tSafeRecord, partitionID)
}

func (ts *tSafe) get() Timestamp {
	ts.tSafeMu.Lock()
	defer ts.tSafeMu.Unlock()
	return ts.tSafe
}

// set hands an update to the goroutine.
func (ts *tSafe) set(id UniqueID, t Timestamp) {
	select {
	case ts.tSafeChan <- tSafeMsg{t: t, id: id}:
	case <-ts.ctx.Done():
	}
}

// close stops the goroutine and closes the watchers' channels.
func (ts *tSafe) close() {
	ts.tSafeMu.Lock() // heldout:site
	defer ts.tSafeMu.Unlock()

	ts.cancel()
	ts.wg.Wait() // heldout:site
	for _, watcher := range ts.watcherList {
		close(watcher.notifyChan)
	}
}

// tSafeReplica holds the tSafes of a query node's channels.
type tSafeReplica struct {
	mu     sync.Mutex
	tSafes map[string]*tSafe
}

func newTSafeReplica() *tSafeReplica {
	return &tSafeReplica{tSafes: map[string]*tSafe{}}
}

func (r *tSafeReplica) addTSafe(ctx context.Context, channel string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.tSafes[channel]; !ok {
		ts := newTSafe(ctx, channel)
		ts.start()
		r.tSafes[channel] = ts
	}
}

func (r *tSafeReplica) setTSafe(channel string, id UniqueID, t Timestamp) {
	r.mu.Lock()
	ts, ok := r.tSafes[channel]
	r.mu.Unlock()
	if ok {
		ts.set(id, t)
	}
}

func (r *tSafeReplica) removeTSafe(channel string) {
	r.mu.Lock()
	ts, ok := r.tSafes[channel]
	delete(r.tSafes, channel)
	r.mu.Unlock()
	if ok {
		ts.close()
	}
}
