// Package fixed is the fixed version of mixed/cometbft_5931: AddBlock sends
// the peer error in its deferred func after unlocking pool.mtx, so the
// reactor can take the lock, return to its select and receive it.
package fixed

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
func (pool *BlockPool) AddBlock(peerID PeerID, block *Block) (err error) {
	var sendErr error
	pool.mtx.Lock()
	defer func() {
		pool.mtx.Unlock()
		if sendErr != nil {
			pool.sendError(sendErr, peerID)
		}
	}()

	requester := pool.requesters[block.Height]
	if requester == nil {
		diff := pool.height - block.Height
		if diff < 0 {
			diff = -diff
		}
		if diff > maxDiffBetweenCurrentAndReceivedBlockHeight {
			sendErr = errors.New("peer sent us a block we didn't expect with a height too far ahead/behind")
		}
		return fmt.Errorf("peer sent us a block we didn't expect (peer: %s, current height: %d, block height: %d)", peerID, pool.height, block.Height)
	}
	if !requester.setBlock(block, peerID) {
		err := fmt.Errorf("requested block #%d from %v, not %s", block.Height, requester.peerID, peerID)
		sendErr = err
		return err
	}
	return nil
}

// PeekTwoBlocks returns the blocks at the pool's height and the next one.
func (pool *BlockPool) PeekTwoBlocks() (first, second *Block) {
	pool.mtx.Lock()
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
	pool.errorsCh <- peerError{err, peerID}
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
