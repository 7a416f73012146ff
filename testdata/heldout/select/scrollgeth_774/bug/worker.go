// Package bug is a held-out kernel (issue 14): Scroll's clique sealer
// hands the sealed block to the miner with a select that has a default,
// and returns without closing the result channel; the miner calls Seal
// and then waits on that unbuffered channel, so when the sealer's select
// runs before the miner reaches its receive the block is dropped and the
// miner waits for ever.
//
// Upstream: scroll-tech/go-ethereum#774 ("fix: make consensus engine wait for a bit before giving up on worker")
// Round: 17
// Seen: 2026-11-29, development set (written in session 24 by helper selclose to tune the analyzers; not a blind measure)
//
// Bug: Clique.Seal checks the signer, signs the header and starts a
// goroutine that waits for the slot (or for stop) and then offers the
// sealed block on results with `select { case results <- block: default:
// log "Sealing result is not read by miner" }`. Scroll's worker commits a
// block by making an unbuffered result channel and a stop channel,
// calling Seal, and receiving the block from the result channel; with no
// delay before an in-turn slot the offer can run before that receive, and
// the worker's receive then has no sender and no close. The review:
// without closing results, the worker's receive "will block forever". The
// chain, the snapshot and the signer function are reduced to interfaces
// and a map; the worker to its commit step.
//
// Fix: the sealing goroutine defers close(results) and waits up to a
// second for the worker instead of giving up at once; the worker treats a
// nil block (the close) as "missed seal response from consensus engine".
package bug

import (
	"errors"
	"log"
	"sync"
	"time"
)

// Header is a block header.
type Header struct {
	Number     uint64
	Time       uint64
	Difficulty uint64
	Extra      []byte
	ParentHash [32]byte
}

// Block is a header and its transactions.
type Block struct {
	header *Header
	txs    [][]byte
}

// Header returns a copy of the block's header.
func (b *Block) Header() *Header { h := *b.header; return &h }

// WithSeal returns the block with header as its sealed header.
func (b *Block) WithSeal(header *Header) *Block {
	return &Block{header: header, txs: b.txs}
}

// ChainHeaderReader reads the canonical chain.
type ChainHeaderReader interface {
	GetHeader(number uint64) *Header
}

// Engine is a consensus engine.
type Engine interface {
	Seal(chain ChainHeaderReader, block *Block, results chan<- *Block, stop <-chan struct{}) error
	SealHash(header *Header) [32]byte
}

// SignerFn signs a seal hash with the signer's key.
type SignerFn func(signer string, hash [32]byte) ([]byte, error)

var (
	errUnknownBlock        = errors.New("unknown block")
	errUnauthorized        = errors.New("unauthorized signer")
	diffNoTurn      uint64 = 2
)

const wiggleTime = 500 * time.Millisecond

// Clique is the proof-of-authority engine.
type Clique struct {
	lock    sync.RWMutex
	signer  string
	signFn  SignerFn
	signers map[string]bool
}

// Authorize sets the signer the engine seals with.
func (c *Clique) Authorize(signer string, signFn SignerFn) {
	c.lock.Lock()
	defer c.lock.Unlock()
	c.signer = signer
	c.signFn = signFn
}

// SealHash is the hash the signer signs.
func (c *Clique) SealHash(header *Header) (hash [32]byte) {
	copy(hash[:], header.Extra)
	hash[31] = byte(header.Number)
	return hash
}

// Seal signs block and hands it to the miner on results once its slot
// comes.
func (c *Clique) Seal(chain ChainHeaderReader, block *Block, results chan<- *Block, stop <-chan struct{}) error {
	header := block.Header()
	if header.Number == 0 {
		return errUnknownBlock
	}
	c.lock.RLock()
	signer, signFn := c.signer, c.signFn
	c.lock.RUnlock()
	if !c.signers[signer] {
		return errUnauthorized
	}
	delay := time.Until(time.Unix(int64(header.Time), 0))
	if header.Difficulty == diffNoTurn {
		delay += time.Duration(len(c.signers)/2+1) * wiggleTime
	}
	sighash, err := signFn(signer, c.SealHash(header))
	if err != nil {
		return err
	}
	header.Extra = append(header.Extra, sighash...)
	go func() {
		select {
		case <-stop:
			return
		case <-time.After(delay):
		}
		select {
		case results <- block.WithSeal(header):
		default: // heldout:site
			log.Printf("Sealing result is not read by miner: %x", c.SealHash(header))
		}
	}()
	return nil
}

// Worker builds and commits blocks.
type Worker struct {
	engine  Engine
	chain   ChainHeaderReader
	pending *Block
	onBlock func(*Block)
}

// commit seals the pending block and hands it on.
func (w *Worker) commit() error {
	block := w.pending
	resultCh, stopCh := make(chan *Block), make(chan struct{})
	if err := w.engine.Seal(w.chain, block, resultCh, stopCh); err != nil {
		return err
	}
	block = <-resultCh // heldout:site
	w.onBlock(block)
	return nil
}
