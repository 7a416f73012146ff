// Package fixed is the fixed version of chansend/gonats_2: the reply
// handler returns after sending an error, so it sends one value per reply.
package fixed

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
			receivedCh <- result{err: err}
			return
		}
		if r.Status != "ok" {
			receivedCh <- result{err: errors.New(r.Status)}
			return
		}
		receivedCh <- result{body: r.Body}
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
