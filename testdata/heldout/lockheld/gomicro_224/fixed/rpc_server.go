// Package fixed is the fixed version of lockheld/gomicro_224: Subscribe
// unlocks the server before returning the already-exists error.
package fixed

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
	s.RLock()
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
		s.Unlock()
		return fmt.Errorf("subscriber %v already exists", sub.topic)
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
