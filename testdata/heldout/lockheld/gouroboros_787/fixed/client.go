// Package fixed is the fixed version of lockheld/gouroboros_787: GetBlock
// releases busyMutex before returning ErrProtocolShuttingDown, so a later
// request on a closed client fails instead of blocking.
package fixed

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
	c.busyMutex.Lock()
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
	c.busyMutex.Lock()
	c.blockUseCallback = false
	if err := c.SendMessage(&MsgRequestRange{Start: point, End: point}); err != nil {
		c.busyMutex.Unlock()
		return nil, err
	}
	err, ok := <-c.startBatchResultChan
	if !ok {
		c.busyMutex.Unlock()
		return nil, ErrProtocolShuttingDown
	}
	if err != nil {
		c.busyMutex.Unlock()
		return nil, err
	}
	block, ok := <-c.blockChan
	if !ok {
		c.busyMutex.Unlock()
		return nil, ErrProtocolShuttingDown
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
