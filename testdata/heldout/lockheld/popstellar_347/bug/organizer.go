// Package bug is a held-out kernel (issue 14): a hub that read-locks its
// channel table to route a client's message and returns without
// unlocking when the channel does not exist.
//
// Upstream: dedis/popstellar#347 ("be1-go: Fix deadlock on missing channel")
// Round: 4
// Seen: 2026-11-27, development set (helpers read this round-4 kernel to tune the analyzers, after round 4 was measured; round 5 stays held out)
//
// Bug: handleMessageFromClient read-locks the hub, looks up the message's
// channel and, when the channel is missing, sends an error to the client
// and returns with the read lock still held. The next createLao, which
// takes the write lock to add a channel, blocks forever, and every read
// lock after it queues behind it. The diff shows the missing RUnlock; the
// message types and createLao are our reduction of organizer.go.
//
// Fix: RUnlock before returning on the missing-channel path.
package bug

import (
	"encoding/json"
	"fmt"
	"sync"
)

// Error is the JSON-RPC error sent back to a client.
type Error struct {
	Code        int
	Description string
}

// Socket is a client connection.
type Socket interface {
	SendError(id int, err *Error)
	SendResult(id int, res json.RawMessage)
}

// IncomingMessage is a message from a client with its socket.
type IncomingMessage struct {
	Socket  Socket
	ID      int
	Channel string
	Method  string
	Params  json.RawMessage
}

// Channel handles the messages of one channel.
type Channel interface {
	Publish(params json.RawMessage) error
	Subscribe(s Socket) error
}

type organizerHub struct {
	sync.RWMutex
	channelByID map[string]Channel
	newChannel  func(id string) Channel
}

func newOrganizerHub(newChannel func(string) Channel) *organizerHub {
	return &organizerHub{channelByID: make(map[string]Channel), newChannel: newChannel}
}

func (o *organizerHub) handleMessageFromClient(incoming *IncomingMessage) {
	if incoming.Channel == "/root" {
		o.createLao(incoming)
		return
	}

	o.RLock()
	channel, ok := o.channelByID[incoming.Channel]
	if !ok {
		incoming.Socket.SendError(incoming.ID, &Error{
			Code:        -2,
			Description: fmt.Sprintf("channel with id %s does not exist", incoming.Channel),
		})
		return // heldout:site
	}
	o.RUnlock()

	var err error
	switch incoming.Method {
	case "publish":
		err = channel.Publish(incoming.Params)
	case "subscribe":
		err = channel.Subscribe(incoming.Socket)
	default:
		err = fmt.Errorf("unexpected method %s", incoming.Method)
	}
	if err != nil {
		incoming.Socket.SendError(incoming.ID, &Error{Code: -4, Description: err.Error()})
		return
	}
	incoming.Socket.SendResult(incoming.ID, json.RawMessage("0"))
}

func (o *organizerHub) createLao(incoming *IncomingMessage) {
	var lao struct{ ID string }
	if err := json.Unmarshal(incoming.Params, &lao); err != nil {
		incoming.Socket.SendError(incoming.ID, &Error{Code: -4, Description: err.Error()})
		return
	}
	o.Lock() // heldout:site
	defer o.Unlock()
	id := "/root/" + lao.ID
	if _, ok := o.channelByID[id]; ok {
		incoming.Socket.SendError(incoming.ID, &Error{Code: -3, Description: "lao already exists"})
		return
	}
	o.channelByID[id] = o.newChannel(id)
	incoming.Socket.SendResult(incoming.ID, json.RawMessage("0"))
}
