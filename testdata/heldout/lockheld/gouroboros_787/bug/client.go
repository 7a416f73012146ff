// Package bug is a held-out kernel (issue 14): the Ouroboros block-fetch
// client serialises requests with a busy mutex that GetBlock takes before
// sending MsgRequestRange and releases when the block arrives. When the
// connection has closed, the protocol's shutdown closes the result
// channels and GetBlock returns ErrProtocolShuttingDown from two places
// without unlocking, so the next GetBlock (or GetBlockRange) on the
// client blocks for ever in busyMutex.Lock.
//
// Upstream: blinklabs-io/gouroboros#787 ("fix: connection.BlockFetch().Client.GetBlock potential deadlock")
// Round: 18
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: issue blinklabs-io/gouroboros#774: after connection.Close(), the
// first GetBlock returns "protocol is shutting down" and "the next call
// will block indefinitely ... caused by a mutex that is not being
// unlocked"; the PR: "Unlock busyMutex when returning
// ProtocolShuttingDownError". The thread does not show the whole client;
// the Client with its busyMutex, startBatchResultChan and blockChan, the
// message handler that feeds them and the shutdown goroutine that closes
// them are our reduction of protocol/blockfetch/client.go of that time.
// The muxer, CBOR and ledger decoding are reduced to an interface.
//
// Fix: GetBlock unlocks busyMutex before each ErrProtocolShuttingDown
// return.
package bug

import (
	"errors"
	"sync"
)

// ErrProtocolShuttingDown is returned once the protocol has stopped.
var ErrProtocolShuttingDown = errors.New("protocol is shutting down")

// Point is a chain point.
type Point struct {
	Slot uint64
	Hash []byte
}

// Block is a decoded block.
type Block interface {
	SlotNumber() uint64
}

// Message is a block-fetch protocol message.
type Message interface{}

// MsgRequestRange asks for the blocks from Start to End.
type MsgRequestRange struct{ Start, End Point }

// MsgStartBatch starts the answer to a range request.
type MsgStartBatch struct{}

// MsgNoBlocks answers a range the peer does not have.
type MsgNoBlocks struct{}

// MsgBlock carries one block.
type MsgBlock struct{ Block Block }

// MsgBatchDone ends a batch.
type MsgBatchDone struct{}

// Protocol is the underlying mini-protocol instance.
type Protocol interface {
	SendMessage(msg Message) error
	DoneChan() <-chan struct{}
}

// Client is the block-fetch client.
type Client struct {
	Protocol
	busyMutex            sync.Mutex
	blockUseCallback     bool
	startBatchResultChan chan error
	blockChan            chan Block
}

// NewClient starts a client over p; the shutdown goroutine closes the
// result channels when the protocol is done.
func NewClient(p Protocol) *Client {
	c := &Client{
		Protocol:             p,
		startBatchResultChan: make(chan error),
		blockChan:            make(chan Block),
	}
	go func() {
		<-c.DoneChan()
		close(c.startBatchResultChan)
		close(c.blockChan)
	}()
	return c
}

// GetBlockRange requests a range whose blocks go to the block callback.
func (c *Client) GetBlockRange(start, end Point) error {
	c.busyMutex.Lock() // heldout:site
	c.blockUseCallback = true
	if err := c.SendMessage(&MsgRequestRange{Start: start, End: end}); err != nil {
		c.busyMutex.Unlock()
		return err
	}
	err, ok := <-c.startBatchResultChan
	if !ok {
		c.busyMutex.Unlock()
		return ErrProtocolShuttingDown
	}
	if err != nil {
		c.busyMutex.Unlock()
		return err
	}
	// busyMutex is released by handleBatchDone.
	return nil
}

// GetBlock requests one block and waits for it.
func (c *Client) GetBlock(point Point) (Block, error) {
	c.busyMutex.Lock() // heldout:site
	c.blockUseCallback = false
	if err := c.SendMessage(&MsgRequestRange{Start: point, End: point}); err != nil {
		c.busyMutex.Unlock()
		return nil, err
	}
	err, ok := <-c.startBatchResultChan
	if !ok {
		return nil, ErrProtocolShuttingDown // heldout:site
	}
	if err != nil {
		c.busyMutex.Unlock()
		return nil, err
	}
	block, ok := <-c.blockChan
	if !ok {
		return nil, ErrProtocolShuttingDown // heldout:site
	}
	c.busyMutex.Unlock()
	return block, nil
}

// BlockFunc receives blocks of a GetBlockRange.
var BlockFunc func(Block) error

func (c *Client) messageHandler(msg Message) error {
	switch m := msg.(type) {
	case *MsgStartBatch:
		c.startBatchResultChan <- nil
	case *MsgNoBlocks:
		c.startBatchResultChan <- errors.New("block(s) not found")
	case *MsgBlock:
		if !c.blockUseCallback {
			c.blockChan <- m.Block
			return nil
		}
		if BlockFunc != nil {
			return BlockFunc(m.Block)
		}
	case *MsgBatchDone:
		if c.blockUseCallback {
			c.busyMutex.Unlock()
		}
	}
	return nil
}
