// Package bug is a held-out kernel (issue 14): a network's Close holds the
// network's write lock while it sends a close message through sendMsg,
// which read-locks the network to find the channel's client.
//
// Upstream: micro/go-micro#742 ("unlock before sending the message to avoid deadlock")
// Round: 4
//
// Bug: Close takes n.Lock (deferred unlock) and, if still connected,
// announces its departure with sendMsg("close", ...) before closing.
// sendMsg takes n.RLock to look up the tunnel client for the control
// channel; a read lock is never granted while the same goroutine holds
// the write lock, so Close blocks forever. The PR states the call chain;
// the message types and the tunnel client interface are our reduction of
// network/default.go.
//
// Fix: Close marks the network closed and disconnected, unlocks, and only
// then sends the close message.
package bug

import (
	"encoding/json"
	"fmt"
	"log"
	"sync"
)

const (
	// ControlChannel carries the network's control messages.
	ControlChannel = "control"
	// NetworkChannel carries peer announcements.
	NetworkChannel = "network"
)

// Message is a tunnel message.
type Message struct {
	Header map[string]string
	Body   []byte
}

// Client sends on one tunnel channel.
type Client interface {
	Send(m *Message) error
	Close() error
}

// Node is a network node.
type Node struct {
	ID      string `json:"id"`
	Address string `json:"address"`
}

type closeMsg struct {
	Node *Node `json:"node"`
}

type network struct {
	sync.RWMutex
	id        string
	address   string
	tunClient map[string]Client
	connected bool
	closed    chan bool
}

func newNetwork(id, address string, clients map[string]Client) *network {
	return &network{id: id, address: address, tunClient: clients, connected: true, closed: make(chan bool)}
}

func (n *network) sendMsg(method string, msg any, channel string) error {
	body, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	n.RLock() // heldout:site
	client, ok := n.tunClient[channel]
	n.RUnlock()
	if !ok {
		return fmt.Errorf("no client for channel %s", channel)
	}
	return client.Send(&Message{
		Header: map[string]string{"Micro-Method": method},
		Body:   body,
	})
}

func (n *network) close() error {
	n.Lock()
	defer n.Unlock()
	var firstErr error
	for name, c := range n.tunClient {
		if err := c.Close(); err != nil && firstErr == nil {
			firstErr = err
		}
		delete(n.tunClient, name)
	}
	return firstErr
}

// Close announces that this node leaves the network and tears it down.
func (n *network) Close() error {
	n.Lock()

	if !n.connected {
		n.Unlock()
		return nil
	}

	select {
	case <-n.closed:
		n.Unlock()
		return nil
	default:
		msg := &closeMsg{Node: &Node{ID: n.id, Address: n.address}}
		if err := n.sendMsg("close", msg, ControlChannel); err != nil { // heldout:site
			log.Printf("network: failed to send close message: %v", err)
		}
		close(n.closed)
		n.connected = false
		n.Unlock()
	}

	return n.close()
}
