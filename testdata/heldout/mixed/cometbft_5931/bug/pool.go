// Package bug is a held-out kernel (issue 14): blocksync's BlockPool
// reports misbehaving peers by sending on errorsCh, which only the
// reactor's poolRoutine drains. AddBlock holds pool.mtx (deferred
// Unlock) while it calls sendError for a block it did not expect; when
// poolRoutine is at that moment in its trySync case, asking the pool for
// the next two blocks, it waits for pool.mtx and never gets back to the
// select that receives from errorsCh: AddBlock blocks on the send forever
// with the pool locked, and the node stops syncing.
//
// Upstream: cometbft/cometbft#5931 ("fix(blocksync): fix deadlock in AddBlock caused by holding pool.mtx during sendError")
// Round: 16
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: BlockPool, its requesters, AddBlock, sendError, PeekTwoBlocks and
// the reactor's poolRoutine select over the trySync ticker, errorsCh and
// Quit follow blocksync/pool.go and reactor.go before the PR; blocks,
// peers and the switch are reduced to small types. Upstream the reactor
// gives errorsCh a buffer, so the send blocks once it is full; the PR's
// regression test uses an unbuffered one, as this kernel does.
//
// Fix: AddBlock records the error to send in sendErr and sends it in its
// deferred func after pool.mtx is unlocked.
package bug

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// PeerID names a peer.
type PeerID string

// Block is a block at a height.
type Block struct{ Height int64 }

type peerError struct {
	err    error
	peerID PeerID
}

func (e peerError) Error() string { return fmt.Sprintf("error with peer %v: %s", e.peerID, e.err) }

type bpRequester struct {
	height int64
	peerID PeerID
	block  *Block
}

func (r *bpRequester) setBlock(block *Block, peerID PeerID) bool {
	if r.block != nil || r.peerID != peerID {
		return false
	}
	r.block = block
	return true
}

const maxDiffBetweenCurrentAndReceivedBlockHeight = 100

// BlockPool keeps track of the blocks requested from peers.
type BlockPool struct {
	mtx        sync.Mutex
	requesters map[int64]*bpRequester
	height     int64

	errorsCh chan<- peerError
}

// NewBlockPool returns a pool starting at height that reports bad peers
// on errorsCh.
func NewBlockPool(start int64, errorsCh chan<- peerError) *BlockPool {
	return &BlockPool{requesters: make(map[int64]*bpRequester), height: start, errorsCh: errorsCh}
}

// AddBlock stores a block a peer sent, if it was requested from that peer.
func (pool *BlockPool) AddBlock(peerID PeerID, block *Block) error {
	pool.mtx.Lock()
	defer pool.mtx.Unlock()

	requester := pool.requesters[block.Height]
	if requester == nil {
		diff := pool.height - block.Height
		if diff < 0 {
			diff = -diff
		}
		if diff > maxDiffBetweenCurrentAndReceivedBlockHeight {
			pool.sendError(errors.New("peer sent us a block we didn't expect with a height too far ahead/behind"), peerID) // heldout:site
		}
		return fmt.Errorf("peer sent us a block we didn't expect (peer: %s, current height: %d, block height: %d)", peerID, pool.height, block.Height)
	}
	if !requester.setBlock(block, peerID) {
		err := fmt.Errorf("requested block #%d from %v, not %s", block.Height, requester.peerID, peerID)
		pool.sendError(err, peerID) // heldout:site
		return err
	}
	return nil
}

// PeekTwoBlocks returns the blocks at the pool's height and the next one.
func (pool *BlockPool) PeekTwoBlocks() (first, second *Block) {
	pool.mtx.Lock() // heldout:site
	defer pool.mtx.Unlock()
	if r := pool.requesters[pool.height]; r != nil {
		first = r.block
	}
	if r := pool.requesters[pool.height+1]; r != nil {
		second = r.block
	}
	return first, second
}

func (pool *BlockPool) sendError(err error, peerID PeerID) {
	pool.errorsCh <- peerError{err, peerID} // heldout:site
}

// Reactor syncs blocks from peers through the pool.
type Reactor struct {
	pool     *BlockPool
	errorsCh <-chan peerError
	quit     chan struct{}
	stopped  []PeerID
}

// NewReactor returns a reactor for a pool starting at height start.
func NewReactor(start int64) *Reactor {
	errorsCh := make(chan peerError)
	return &Reactor{
		pool:     NewBlockPool(start, errorsCh),
		errorsCh: errorsCh,
		quit:     make(chan struct{}),
	}
}

func (r *Reactor) poolRoutine() {
	trySyncTicker := time.NewTicker(10 * time.Millisecond)
	defer trySyncTicker.Stop()
	for {
		select {
		case <-r.quit:
			return
		case <-trySyncTicker.C:
			first, second := r.pool.PeekTwoBlocks()
			if first == nil || second == nil {
				continue
			}
		case err := <-r.errorsCh:
			r.stopped = append(r.stopped, err.peerID)
		}
	}
}

// Receive hands the pool a block a peer sent.
func (r *Reactor) Receive(peerID PeerID, block *Block) error {
	return r.pool.AddBlock(peerID, block)
}

// Sync runs the pool routine while a peer sends a block far ahead.
func Sync() error {
	r := NewReactor(1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.poolRoutine()
	}()
	err := r.Receive("peer-a", &Block{Height: 1000})
	close(r.quit)
	<-done
	return err
}
