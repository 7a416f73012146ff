// Package fixed is the fixed version of mixed/neofsnode_2720: the notary
// subscription RPC runs without the subscription lock held.
//
// Upstream: nspcc-dev/neofs-node#2720 ("morph: Fix subscription deadlock")
// Round: 19
package fixed

import (
	"errors"
	"fmt"
	"sync"
)

// ErrConnectionLost is returned once the websocket connection is gone.
var ErrConnectionLost = errors.New("connection lost")

// Uint160 is a script hash.
type Uint160 [20]byte

// NotaryRequestEvent is a notary request pushed by the server.
type NotaryRequestEvent struct {
	Signer Uint160
}

type wsMessage struct {
	event *NotaryRequestEvent // set for a server event
	id    string              // set for an RPC reply
	err   error
}

// WSClient is the websocket RPC client: one reader goroutine delivers both
// events and replies.
type WSClient struct {
	incoming chan wsMessage // frames read off the socket
	replies  chan wsMessage
	send     func(method string, params ...any) error

	mu        sync.Mutex
	receivers []chan<- *NotaryRequestEvent
}

// NewWSClient starts the reader over the socket's frames.
func NewWSClient(incoming chan wsMessage, send func(string, ...any) error) *WSClient {
	w := &WSClient{incoming: incoming, replies: make(chan wsMessage), send: send}
	go w.wsReader()
	return w
}

func (w *WSClient) wsReader() {
	for msg := range w.incoming {
		if msg.event != nil {
			w.mu.Lock()
			rcvrs := append([]chan<- *NotaryRequestEvent(nil), w.receivers...)
			w.mu.Unlock()
			for _, rcvr := range rcvrs {
				rcvr <- msg.event
			}
			continue
		}
		w.replies <- msg
	}
	close(w.replies)
}

// ReceiveNotaryRequests subscribes rcvr to notary requests signed by signer.
func (w *WSClient) ReceiveNotaryRequests(signer Uint160, rcvr chan<- *NotaryRequestEvent) (string, error) {
	w.mu.Lock()
	w.receivers = append(w.receivers, rcvr)
	w.mu.Unlock()
	if err := w.send("subscribe", "notary_request_event", signer); err != nil {
		return "", err
	}
	reply, ok := <-w.replies
	if !ok {
		return "", ErrConnectionLost
	}
	return reply.id, reply.err
}

// Client is the side chain client of a NeoFS node.
type Client struct {
	client *WSClient

	notifications chan *NotaryRequestEvent // read by the event listener

	subs subscriptions
}

type subscriptions struct {
	sync.RWMutex

	// channels the websocket client delivers to; swapped on reconnection
	curNotaryChan chan *NotaryRequestEvent

	subscribedNotaryEvents      map[Uint160]struct{}
	subscribedToAllNotaryEvents bool
}

// New returns a client over ws and starts routing its notifications.
func New(ws *WSClient) *Client {
	c := &Client{
		client:        ws,
		notifications: make(chan *NotaryRequestEvent),
	}
	c.subs.curNotaryChan = make(chan *NotaryRequestEvent)
	c.subs.subscribedNotaryEvents = make(map[Uint160]struct{})
	go c.routeNotifications()
	return c
}

// Notifications returns the channel the listener reads.
func (c *Client) Notifications() <-chan *NotaryRequestEvent { return c.notifications }

func (c *Client) routeNotifications() {
	for {
		c.subs.RLock()
		notaryChan := c.subs.curNotaryChan
		c.subs.RUnlock()

		ev := <-notaryChan
		c.notifications <- ev
	}
}

// ReceiveNotaryRequests subscribes to notary requests signed by txSigner.
func (c *Client) ReceiveNotaryRequests(txSigner Uint160) error {
	c.subs.RLock()
	if _, ok := c.subs.subscribedNotaryEvents[txSigner]; ok || c.subs.subscribedToAllNotaryEvents {
		c.subs.RUnlock()
		return nil
	}
	notaryChan := c.subs.curNotaryChan
	c.subs.RUnlock()

	// The RPC runs without the lock: its reply may wait behind a
	// notification that routeNotifications must be free to read.
	_, err := c.client.ReceiveNotaryRequests(txSigner, notaryChan)
	if err != nil {
		return fmt.Errorf("could not subscribe to notary requests: %w", err)
	}

	c.subs.Lock()
	c.subs.subscribedNotaryEvents[txSigner] = struct{}{}
	c.subs.Unlock()
	return nil
}
