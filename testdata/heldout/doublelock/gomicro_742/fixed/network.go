// Package fixed is the fixed version of doublelock/gomicro_742: Close
// unlocks before it sends the close message.
package fixed

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
	n.RLock()
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
		// Mark the network closed first, so nothing else tries to close
		// it, and send the close message without holding the lock.
		close(n.closed)
		n.connected = false
		n.Unlock()
		msg := &closeMsg{Node: &Node{ID: n.id, Address: n.address}}
		if err := n.sendMsg("close", msg, ControlChannel); err != nil {
			log.Printf("network: failed to send close message: %v", err)
		}
	}

	return n.close()
}
