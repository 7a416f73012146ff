// Package bug is a held-out kernel (issue 14): a request helper whose
// reply handler sends an error on an unbuffered channel and then, missing
// a return, sends the reply too, while the caller receives only once.
//
// Upstream: enobufs/go-nats#2 ("Fix goroutine leak")
// Round: 5
// Seen: 2026-11-27, development set (helpers read this round-5 kernel to tune the analyzers, after round 5 was measured; round 6 stays held out)
//
// Bug: Request subscribes to an inbox and waits for one result on
// receivedCh. The handler, run on the subscription's goroutine, sends an
// error when the reply cannot be decoded or carries an error status, but
// lacks the return after those sends, so it goes on to send the decoded
// reply as well. The caller has taken the first value and gone; the
// second send blocks the subscription goroutine forever. The PR names the
// missing returns and receivedCh; the decoding and the subscription
// interface are our reduction.
//
// Fix: the handler returns after each error send.
package bug

import (
	"encoding/json"
	"errors"
)

// Msg is a received message.
type Msg struct {
	Subject string
	Data    []byte
}

// Conn is the client connection.
type Conn interface {
	Subscribe(subject string, handler func(*Msg)) (unsubscribe func(), err error)
	Publish(subject, reply string, data []byte) error
	NewInbox() string
}

type reply struct {
	Status string          `json:"status"`
	Body   json.RawMessage `json:"body"`
}

type result struct {
	body []byte
	err  error
}

// Request publishes data on subject and waits for its reply.
func Request(nc Conn, subject string, data []byte) ([]byte, error) {
	inbox := nc.NewInbox()
	receivedCh := make(chan result)
	unsub, err := nc.Subscribe(inbox, func(m *Msg) {
		var r reply
		if err := json.Unmarshal(m.Data, &r); err != nil {
			receivedCh <- result{err: err} // heldout:site
		}
		if r.Status != "ok" {
			receivedCh <- result{err: errors.New(r.Status)} // heldout:site
		}
		receivedCh <- result{body: r.Body} // heldout:site
	})
	if err != nil {
		return nil, err
	}
	defer unsub()
	if err := nc.Publish(subject, inbox, data); err != nil {
		return nil, err
	}
	res := <-receivedCh
	return res.body, res.err
}
