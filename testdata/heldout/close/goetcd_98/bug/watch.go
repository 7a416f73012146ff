// Package bug is a held-out kernel (issue 14): an etcd client's long-term
// Watch sends each change on the caller's receiver channel and returns on
// an error or when the caller stops it, without closing the receiver; the
// goroutine consuming the receiver with range waits for ever.
//
// Upstream: coreos/go-etcd#98 ("Always close response channel when Watch is done.")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: with a receiver, Watch loops on watchOnce, sending every response
// on receiver, and returns when watchOnce yields no response (an error, or
// ErrWatchStoppedByUser after the stop channel fires). The PR: closing the
// receiver "permits the goroutine consuming that channel to gracefully
// terminate when the channel will no longer return any responses". The
// HTTP request is reduced to a Transport interface; WatchPrefix, the
// consumer ranging over the receiver, is our reduction of a caller.
//
// Fix: Watch defers close(receiver) when a receiver is given.
package bug

import (
	"errors"
)

// ErrWatchStoppedByUser is returned when the stop channel fires.
var ErrWatchStoppedByUser = errors.New("Watch stopped by the user via stop channel")

// Response is one change under the watched prefix.
type Response struct {
	Action string
	Key    string
	Index  uint64
}

// Transport performs one long-poll watch request.
type Transport interface {
	WatchRequest(key string, sinceIndex uint64) (*Response, error)
	Cancel()
}

// Client is an etcd client.
type Client struct {
	t Transport
}

type respAndErr struct {
	resp *Response
	err  error
}

// Watch watches prefix from sinceIndex. With a receiver it is a long-term
// watch that sends every change on receiver until it fails or stop fires.
func (c *Client) Watch(prefix string, sinceIndex uint64, receiver chan *Response, stop chan bool) (*Response, error) {
	if receiver == nil {
		return c.watchOnce(prefix, sinceIndex, stop)
	}
	for {
		resp, err := c.watchOnce(prefix, sinceIndex, stop)
		if resp == nil {
			return nil, err // heldout:site
		}
		sinceIndex = resp.Index + 1
		receiver <- resp
	}
}

func (c *Client) watchOnce(key string, sinceIndex uint64, stop chan bool) (*Response, error) {
	if stop == nil {
		return c.t.WatchRequest(key, sinceIndex)
	}
	ch := make(chan respAndErr)
	fin := make(chan bool)
	go func() {
		resp, err := c.t.WatchRequest(key, sinceIndex)
		select {
		case ch <- respAndErr{resp, err}:
		case <-fin:
		}
	}()
	select {
	case res := <-ch:
		return res.resp, res.err
	case <-stop:
		close(fin)
		c.t.Cancel()
		return nil, ErrWatchStoppedByUser
	}
}

// WatchPrefix runs a long-term watch and hands each change to handle
// until the watch ends; it returns the watch's error.
func WatchPrefix(c *Client, prefix string, stop chan bool, handle func(*Response)) error {
	receiver := make(chan *Response)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for resp := range receiver { // heldout:site
			handle(resp)
		}
	}()
	_, err := c.Watch(prefix, 0, receiver, stop)
	<-done // heldout:site
	return err
}
