// Package bug is a held-out kernel (issue 14): a Raft block replicator
// whose propose loop waits on a sync.Cond while too many blocks are in
// flight, relying on the event loop to broadcast when blocks commit or
// when it exits; the event loop broadcasts on its stop branch only, so
// when it leaves through the other exit (a commit that fails because
// Close has shut the commit queue) the propose loop waits forever, and
// Close waits forever for the propose loop.
//
// Upstream: hyperledger-labs/orion-server#244 ("Solve replicator close deadlock")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: the PR: "When closing the replicator, in one case, the
// replicator's event-loop go-routine breaks out of the loop without
// broadcasting to the propose-loop sync.Cond, and the propose loop
// remains waiting on it and does not exit." runRaftEventLoop reset the
// in-flight counters and called condTooManyInFlightBlocks.Broadcast in
// its `case <-br.stopCh` branch; when deliverEntries returned false
// (commitBlock's EnqueueWait failed because Close had closed the
// OneQueueBarrier) it broke out of Event_Loop with no broadcast.
// updateLastProposal, on the propose loop, waits in
// `for tooManyInFlightBlocksCond() || inFlightConfigCond() { Wait() }`.
// etcd/raft, the WAL, snapshots, transport and membership changes are
// reduced to a small node interface; which exit the event loop took
// first in the failing test is our example.
//
// Fix: the event loop resets the counters and broadcasts after the loop,
// on every way out, not only on the stop branch.
package bug

import (
	"context"
	"errors"
	"sync"
)

// Block is a block of transactions.
type Block struct {
	Number uint64
	Config bool
}

// Entry is a committed Raft log entry.
type Entry struct {
	Index uint64
	Block *Block
}

// Ready is a batch of work from the Raft node.
type Ready struct {
	CommittedEntries []Entry
	Leader           uint64
}

// Node is the Raft node.
type Node interface {
	Ready() <-chan Ready
	Advance()
	Propose(ctx context.Context, b *Block) error
	Stop()
}

// ErrClosed is returned by a closed queue.
var ErrClosed = errors.New("closed")

// OneQueueBarrier hands a block to the block processor and waits until
// it is committed; once closed it returns ErrClosed.
type OneQueueBarrier interface {
	EnqueueWait(b *Block) (reConfig interface{}, err error)
	Close() error
}

// BlockReplicator replicates blocks through Raft.
type BlockReplicator struct {
	proposeCh       chan *Block
	raftID          uint64
	raftNode        Node
	oneQueueBarrier OneQueueBarrier
	maxInflight     uint32

	stopCh        chan struct{}
	stopOnce      sync.Once
	doneProposeCh chan struct{}
	doneEventCh   chan struct{}

	mutex                     sync.Mutex
	lastKnownLeader           uint64
	lastProposedBlockNumber   uint64
	lastCommittedBlock        *Block
	numInFlightBlocks         uint32
	inFlightConfigBlockNumber uint64
	condTooManyInFlightBlocks *sync.Cond
	appliedIndex              uint64
}

// NewBlockReplicator returns a replicator; Start runs its loops.
func NewBlockReplicator(id uint64, node Node, qb OneQueueBarrier, maxInflight uint32) *BlockReplicator {
	br := &BlockReplicator{
		proposeCh:          make(chan *Block, 1),
		raftID:             id,
		raftNode:           node,
		oneQueueBarrier:    qb,
		maxInflight:        maxInflight,
		stopCh:             make(chan struct{}),
		doneProposeCh:      make(chan struct{}),
		doneEventCh:        make(chan struct{}),
		lastCommittedBlock: &Block{},
	}
	br.condTooManyInFlightBlocks = sync.NewCond(&br.mutex)
	return br
}

// Start runs the event loop and the propose loop.
func (br *BlockReplicator) Start() {
	go br.runRaftEventLoop()
	go br.runProposeLoop()
}

// Submit queues a block for proposing.
func (br *BlockReplicator) Submit(b *Block) error {
	select {
	case <-br.stopCh:
		return ErrClosed
	case br.proposeCh <- b:
		return nil
	}
}

func (br *BlockReplicator) runRaftEventLoop() {
	defer close(br.doneEventCh)

Event_Loop:
	for {
		select {
		case rd := <-br.raftNode.Ready():
			if ok := br.deliverEntries(rd.CommittedEntries); !ok {
				break Event_Loop // heldout:site
			}
			br.processLeaderChanges(rd.Leader)
			br.raftNode.Advance()

		case <-br.stopCh:
			// Wake the propose loop in case it waits for blocks to commit.
			br.mutex.Lock()
			br.lastKnownLeader = 0
			br.numInFlightBlocks = 0
			br.inFlightConfigBlockNumber = 0
			br.condTooManyInFlightBlocks.Broadcast()
			br.mutex.Unlock()
			break Event_Loop
		}
	}

	br.raftNode.Stop()
}

func (br *BlockReplicator) deliverEntries(entries []Entry) bool {
	for _, e := range entries {
		if e.Index <= br.appliedIndex || e.Block == nil {
			continue
		}
		if err := br.commitBlock(e.Block); err != nil {
			return false
		}
		br.appliedIndex = e.Index
	}
	return true
}

func (br *BlockReplicator) commitBlock(b *Block) error {
	if _, err := br.oneQueueBarrier.EnqueueWait(b); err != nil {
		return err
	}
	br.setLastCommittedBlock(b)
	return nil
}

func (br *BlockReplicator) setLastCommittedBlock(b *Block) {
	br.mutex.Lock()
	defer br.mutex.Unlock()

	br.lastCommittedBlock = b
	doBroadcast := false
	if br.numInFlightBlocks > 0 {
		br.numInFlightBlocks--
		doBroadcast = true
	}
	if br.inFlightConfigBlockNumber > 0 && b.Config && br.inFlightConfigBlockNumber == b.Number {
		br.inFlightConfigBlockNumber = 0
		doBroadcast = true
	}
	if doBroadcast {
		br.condTooManyInFlightBlocks.Broadcast()
	}
}

func (br *BlockReplicator) processLeaderChanges(leader uint64) {
	br.mutex.Lock()
	defer br.mutex.Unlock()

	if leader == br.lastKnownLeader {
		return
	}
	if br.lastKnownLeader == br.raftID || leader == br.raftID {
		br.lastProposedBlockNumber = br.lastCommittedBlock.Number
		br.numInFlightBlocks = 0
		br.inFlightConfigBlockNumber = 0
		br.condTooManyInFlightBlocks.Broadcast()
	}
	br.lastKnownLeader = leader
}

func (br *BlockReplicator) runProposeLoop() {
	defer close(br.doneProposeCh)

Propose_Loop:
	for {
		select {
		case b := <-br.proposeCh:
			br.mutex.Lock()
			leader := br.lastKnownLeader == br.raftID
			if leader {
				b.Number = br.lastProposedBlockNumber + 1
			}
			br.mutex.Unlock()
			if !leader {
				continue Propose_Loop
			}
			if err := br.raftNode.Propose(context.Background(), b); err != nil {
				continue Propose_Loop
			}
			br.updateLastProposal(b)

		case <-br.stopCh:
			break Propose_Loop
		}
	}
}

// updateLastProposal counts the proposed block as in flight and waits
// while too many blocks, or a config block, are in flight.
func (br *BlockReplicator) updateLastProposal(b *Block) {
	br.mutex.Lock()
	defer br.mutex.Unlock()

	if br.lastKnownLeader != br.raftID {
		return
	}
	br.lastProposedBlockNumber = b.Number
	br.numInFlightBlocks++
	if b.Config {
		br.inFlightConfigBlockNumber = b.Number
	}

	tooManyInFlightBlocksCond := func() bool { return br.numInFlightBlocks > br.maxInflight }
	inFlightConfigCond := func() bool { return br.inFlightConfigBlockNumber > 0 }
	for tooManyInFlightBlocksCond() || inFlightConfigCond() {
		// Woken by the event loop when a block commits, when leadership
		// changes, or when the event loop exits.
		br.condTooManyInFlightBlocks.Wait() // heldout:site
	}
}

// Close stops the loops and waits for them.
func (br *BlockReplicator) Close() error {
	err := ErrClosed
	br.stopOnce.Do(func() {
		close(br.stopCh)
		_ = br.oneQueueBarrier.Close()
		<-br.doneProposeCh // heldout:site
		<-br.doneEventCh

		br.mutex.Lock()
		br.lastKnownLeader = 0
		br.mutex.Unlock()
		err = nil
	})
	return err
}
