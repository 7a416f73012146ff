// Package bug is a held-out kernel (issue 14): go-micro's RPC server,
// whose Subscribe locks the server and, when the subscriber is already
// registered, returns the error without unlocking; the next call that
// needs the server's lock — Register when the service starts, reading the
// options, another Subscribe — blocks for ever.
//
// Upstream: micro/go-micro#224 ("fix possible deadlock since code can return without unlocking the Mutex")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: the PR: "If a subscriber already exists the code returns without
// unlocking the rpcServer's Mutex. This might cause a deadlock later on."
// The rpcServer (embedded RWMutex, options, handlers, subscribers,
// registered flag), Subscribe's validation, Handle, Options and Register
// follow server/rpc_server.go of the time; the broker, registry and codec
// are reduced to what Register records.
//
// Fix: the early return unlocks the server first.
package bug

import (
	"errors"
	"fmt"
	"sync"
)

// Options are the server's options.
type Options struct {
	Name    string
	Address string
}

// Handler is a registered RPC handler.
type Handler interface {
	Name() string
}

// Subscriber is a registered topic subscriber.
type Subscriber interface {
	Topic() string
}

type subscriber struct {
	topic    string
	handlers []func(msg []byte) error
}

func (s *subscriber) Topic() string { return s.topic }

type rpcServer struct {
	sync.RWMutex
	opts        Options
	handlers    map[string]Handler
	subscribers map[*subscriber][]string
	registered  bool
	endpoints   []string
}

func newRPCServer(opts Options) *rpcServer {
	return &rpcServer{
		opts:        opts,
		handlers:    make(map[string]Handler),
		subscribers: make(map[*subscriber][]string),
	}
}

func (s *rpcServer) Options() Options {
	s.RLock() // heldout:site
	opts := s.opts
	s.RUnlock()
	return opts
}

func (s *rpcServer) Handle(h Handler) error {
	s.Lock()
	defer s.Unlock()
	s.handlers[h.Name()] = h
	return nil
}

func (s *rpcServer) Subscribe(sb Subscriber) error {
	sub, ok := sb.(*subscriber)
	if !ok {
		return errors.New("invalid subscriber: expected *subscriber")
	}
	if len(sub.handlers) == 0 {
		return errors.New("invalid subscriber: no handler functions")
	}

	s.Lock()
	_, ok = s.subscribers[sub]
	if ok {
		return fmt.Errorf("subscriber %v already exists", sub.topic) // heldout:site
	}
	s.subscribers[sub] = nil
	s.Unlock()
	return nil
}

// Register advertises the handlers and subscribes the subscribers.
func (s *rpcServer) Register() error {
	config := s.Options()

	s.RLock()
	var endpoints []string
	for name := range s.handlers {
		endpoints = append(endpoints, config.Name+"."+name)
	}
	registered := s.registered
	s.RUnlock()

	if registered {
		return nil
	}

	s.Lock()
	defer s.Unlock()
	s.registered = true
	s.endpoints = endpoints
	for sb := range s.subscribers {
		s.subscribers[sb] = []string{"broker:" + sb.topic}
	}
	return nil
}

// Start registers the server.
func (s *rpcServer) Start() error {
	return s.Register()
}

// RunService subscribes a handler twice, as a service wiring its
// subscribers in two places does, and starts.
func RunService() error {
	s := newRPCServer(Options{Name: "go.micro.srv.greeter", Address: ":0"})
	sub := &subscriber{topic: "topic.greeter", handlers: []func([]byte) error{func([]byte) error { return nil }}}
	s.Subscribe(sub)
	s.Subscribe(sub)
	return s.Start()
}
