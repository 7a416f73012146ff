// Package bug is a held-out kernel (issue 14): a blockchain whose
// WriteBlock holds the chain mutex while a reorganisation posts a
// RemovedTransactionEvent on the event mux; posting delivers to each
// subscriber synchronously, and the transaction pool, the subscriber,
// is busy handling an earlier chain-head event that asks the chain for
// its current block under the same mutex. The chain waits for the pool
// to receive, the pool waits for the chain's lock.
//
// Upstream: ethereum/go-ethereum#1865 ("core: deadlock in chainmanager after posting RemovedTransactionEvent")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: the PR: "the chain manager posting a RemovedTransactionEvent, the
// tx pool will try to acquire the chainmanager lock which has previously
// been locked prior to posting RemovedTransactionEvent. This results in a
// deadlock in the core." BlockChain.WriteBlock takes self.mu.Lock and,
// when the new block's parent is not the head, calls reorg, which ended
// with self.eventMux.Post(RemovedTransactionEvent{diff}). TypeMux.Post
// sends the event to each subscription's unbuffered channel. The pool's
// eventLoop handles ChainHeadEvent with pool.mu.Lock and resetState,
// which calls the chain's State, which reads CurrentBlock under
// self.mu.RLock. Blocks, state and transactions are reduced to small
// structs; the database writes, the processor and receipts are left out.
//
// Fix: reorg posts the event from a new goroutine (`go
// self.eventMux.Post(...)`, with the comment "Must be posted in a
// goroutine because of the transaction pool trying to acquire the chain
// manager lock").
package bug

import (
	"errors"
	"reflect"
	"sync"
)

// ---- event mux ----

// ErrMuxClosed is returned when posting on a stopped mux.
var ErrMuxClosed = errors.New("event: mux closed")

// TypeMux dispatches events to subscribers by type.
type TypeMux struct {
	mutex   sync.RWMutex
	subm    map[reflect.Type][]*Subscription
	stopped bool
}

// Subscription receives the events of the types it subscribed to.
type Subscription struct {
	mux     *TypeMux
	closing chan struct{}
	postMu  sync.RWMutex
	postC   chan interface{}
	once    sync.Once
}

// Subscribe returns a subscription for the types of the given values.
func (mux *TypeMux) Subscribe(types ...interface{}) *Subscription {
	sub := &Subscription{mux: mux, closing: make(chan struct{}), postC: make(chan interface{})}
	mux.mutex.Lock()
	defer mux.mutex.Unlock()
	if mux.subm == nil {
		mux.subm = map[reflect.Type][]*Subscription{}
	}
	for _, t := range types {
		rtyp := reflect.TypeOf(t)
		mux.subm[rtyp] = append(mux.subm[rtyp], sub)
	}
	return sub
}

// Post delivers ev to every subscriber of its type, waiting for each.
func (mux *TypeMux) Post(ev interface{}) error {
	rtyp := reflect.TypeOf(ev)
	mux.mutex.RLock()
	if mux.stopped {
		mux.mutex.RUnlock()
		return ErrMuxClosed
	}
	subs := mux.subm[rtyp]
	mux.mutex.RUnlock()
	for _, sub := range subs {
		sub.deliver(ev)
	}
	return nil
}

// Stop closes every subscription.
func (mux *TypeMux) Stop() {
	mux.mutex.Lock()
	var all []*Subscription
	for _, subs := range mux.subm {
		all = append(all, subs...)
	}
	mux.subm = nil
	mux.stopped = true
	mux.mutex.Unlock()
	for _, sub := range all {
		sub.closewait()
	}
}

// Chan returns the channel events arrive on; it is closed on Stop.
func (s *Subscription) Chan() <-chan interface{} { return s.postC }

func (s *Subscription) closewait() {
	s.once.Do(func() {
		close(s.closing)
		s.postMu.Lock()
		close(s.postC)
		s.postMu.Unlock()
	})
}

func (s *Subscription) deliver(ev interface{}) {
	s.postMu.RLock()
	defer s.postMu.RUnlock()
	select {
	case s.postC <- ev:
	case <-s.closing:
	}
}

// ---- chain ----

// Transaction is a transaction.
type Transaction struct {
	Hash  string
	Nonce uint64
}

// Block is a block.
type Block struct {
	Hash, ParentHash string
	Number           uint64
	TD               uint64
	Txs              []*Transaction
}

// ChainHeadEvent is posted when the head changes.
type ChainHeadEvent struct{ Block *Block }

// RemovedTransactionEvent carries transactions dropped by a reorg.
type RemovedTransactionEvent struct{ Txs []*Transaction }

// BlockChain is the canonical chain.
type BlockChain struct {
	eventMux *TypeMux
	blocks   map[string]*Block

	mu           sync.RWMutex
	chainmu      sync.RWMutex
	currentBlock *Block
}

// NewBlockChain starts a chain at genesis.
func NewBlockChain(mux *TypeMux, genesis *Block) *BlockChain {
	return &BlockChain{eventMux: mux, blocks: map[string]*Block{genesis.Hash: genesis}, currentBlock: genesis}
}

// CurrentBlock returns the head block.
func (self *BlockChain) CurrentBlock() *Block {
	self.mu.RLock() // heldout:site
	defer self.mu.RUnlock()
	return self.currentBlock
}

// State returns the state at the head.
func (self *BlockChain) State() (map[string]uint64, error) {
	head := self.CurrentBlock()
	return map[string]uint64{"head": head.Number}, nil
}

// WriteBlock writes block, making it the head if its difficulty is higher.
func (self *BlockChain) WriteBlock(block *Block) error {
	self.mu.Lock() // heldout:site
	defer self.mu.Unlock()

	if block.TD > self.currentBlock.TD {
		if block.ParentHash != self.currentBlock.Hash {
			if err := self.reorg(self.currentBlock, block); err != nil {
				return err
			}
		}
		self.currentBlock = block
	}
	self.blocks[block.Hash] = block
	return nil
}

// reorg replaces the old chain by the new one and reports the
// transactions that are no longer in the chain.
func (self *BlockChain) reorg(oldBlock, newBlock *Block) error {
	var deletedTxs, addedTxs []*Transaction
	for oldBlock != nil && newBlock != nil && oldBlock.Hash != newBlock.Hash {
		if oldBlock.Number >= newBlock.Number {
			deletedTxs = append(deletedTxs, oldBlock.Txs...)
			oldBlock = self.blocks[oldBlock.ParentHash]
		} else {
			addedTxs = append(addedTxs, newBlock.Txs...)
			newBlock = self.blocks[newBlock.ParentHash]
		}
	}
	if oldBlock == nil || newBlock == nil {
		return errors.New("invalid chain")
	}
	added := map[string]bool{}
	for _, tx := range addedTxs {
		added[tx.Hash] = true
	}
	var diff []*Transaction
	for _, tx := range deletedTxs {
		if !added[tx.Hash] {
			diff = append(diff, tx)
		}
	}
	self.eventMux.Post(RemovedTransactionEvent{diff}) // heldout:site
	return nil
}

// InsertChain writes the blocks and then announces the new head.
func (self *BlockChain) InsertChain(chain []*Block) (int, error) {
	self.chainmu.Lock()
	defer self.chainmu.Unlock()

	var events []interface{}
	for i, block := range chain {
		if err := self.WriteBlock(block); err != nil {
			return i, err
		}
		events = append(events, ChainHeadEvent{block})
	}
	go self.postChainEvents(events)
	return 0, nil
}

func (self *BlockChain) postChainEvents(events []interface{}) {
	for _, ev := range events {
		self.eventMux.Post(ev)
	}
}

// ---- transaction pool ----

// TxPool holds pending transactions.
type TxPool struct {
	eventMux     *TypeMux
	events       *Subscription
	currentState func() (map[string]uint64, error)

	mu      sync.RWMutex
	pending map[string]*Transaction
	head    uint64

	wg sync.WaitGroup
}

// NewTxPool starts a pool that follows the chain's events.
func NewTxPool(mux *TypeMux, currentState func() (map[string]uint64, error)) *TxPool {
	pool := &TxPool{
		eventMux:     mux,
		currentState: currentState,
		pending:      map[string]*Transaction{},
		events:       mux.Subscribe(ChainHeadEvent{}, RemovedTransactionEvent{}),
	}
	pool.wg.Add(1)
	go pool.eventLoop()
	return pool
}

func (pool *TxPool) eventLoop() {
	defer pool.wg.Done()
	for ev := range pool.events.Chan() {
		switch ev := ev.(type) {
		case ChainHeadEvent:
			pool.mu.Lock()
			pool.resetState()
			pool.mu.Unlock()
		case RemovedTransactionEvent:
			pool.AddTransactions(ev.Txs)
		}
	}
}

func (pool *TxPool) resetState() {
	state, err := pool.currentState()
	if err != nil {
		return
	}
	pool.head = state["head"]
}

// AddTransactions puts txs back into the pool.
func (pool *TxPool) AddTransactions(txs []*Transaction) {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	if _, err := pool.currentState(); err != nil {
		return
	}
	for _, tx := range txs {
		pool.pending[tx.Hash] = tx
	}
}

// Stop waits for the event loop once the mux has been stopped.
func (pool *TxPool) Stop() {
	pool.wg.Wait()
}
