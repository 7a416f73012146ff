package stuckcaller

import (
	"context"
	"sync"
)

type transport interface {
	Init(ctx context.Context) error
	Listen(ctx context.Context)
}

// client starts a listener that waits until the session is initialised
// or the client is closed; connect gives up when Init fails and drops the
// client without Close, so the listener waits forever.
type client struct {
	t      transport
	inited chan struct{}
	closed chan struct{}
	once   sync.Once
}

func newClient(t transport) *client {
	return &client{t: t, inited: make(chan struct{}), closed: make(chan struct{})}
}

// Start starts the listener.
func (c *client) Start(ctx context.Context) {
	go func() {
		select { // want `this select can block forever`
		case <-c.inited:
			c.t.Listen(ctx)
		case <-c.closed:
		}
	}()
}

// Initialize initialises the session.
func (c *client) Initialize(ctx context.Context) error {
	if err := c.t.Init(ctx); err != nil {
		return err
	}
	c.once.Do(func() { close(c.inited) })
	return nil
}

// Close closes the client.
func (c *client) Close() { close(c.closed) }

func connect(ctx context.Context, t transport) (*client, error) {
	c := newClient(t)
	c.Start(ctx)
	if err := c.Initialize(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// connectClosing closes the client it gives up on (silent).
func connectClosing(ctx context.Context, t transport) (*client, error) {
	c := newClient(t)
	c.Start(ctx)
	if err := c.Initialize(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// connectHanding hands the client back with the error: the caller may
// still close it (silent).
func connectHanding(ctx context.Context, t transport) (*client, error) {
	c := newClient(t)
	c.Start(ctx)
	err := c.Initialize(ctx)
	return c, err
}

var clients []*client

// connectKeeping keeps every client it makes (silent).
func connectKeeping(ctx context.Context, t transport) error {
	c := newClient(t)
	clients = append(clients, c)
	c.Start(ctx)
	return c.Initialize(ctx)
}

// ctxClient's listener also gives up with the context (silent).
type ctxClient struct {
	t      transport
	inited chan struct{}
	closed chan struct{}
}

func newCtxClient(t transport) *ctxClient {
	return &ctxClient{t: t, inited: make(chan struct{}), closed: make(chan struct{})}
}

// Start starts the listener.
func (c *ctxClient) Start(ctx context.Context) {
	go func() {
		select {
		case <-c.inited:
			c.t.Listen(ctx)
		case <-c.closed:
		case <-ctx.Done():
		}
	}()
}

// Initialize initialises the session.
func (c *ctxClient) Initialize(ctx context.Context) error {
	if err := c.t.Init(ctx); err != nil {
		return err
	}
	close(c.inited)
	return nil
}

// Close closes the client.
func (c *ctxClient) Close() { close(c.closed) }

func connectCtx(ctx context.Context, t transport) (*ctxClient, error) {
	c := newCtxClient(t)
	c.Start(ctx)
	if err := c.Initialize(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// watcher's loop, started as a method, waits for the first config, which
// Load sends only when it parses; run returns the error and drops the
// watcher with its loop waiting.
type watcher struct {
	configs chan string
}

func newWatcher() (*watcher, error) {
	return &watcher{configs: make(chan string)}, nil
}

// Watch starts the loop.
func (w *watcher) Watch() { go w.loop() }

func (w *watcher) loop() {
	cfg := <-w.configs // want `this receive can block forever`
	println(cfg)
}

func parse(s string) (string, error) { return s, nil }

// Load parses s and hands it to the loop.
func (w *watcher) Load(s string) error {
	cfg, err := parse(s)
	if err != nil {
		return err
	}
	w.configs <- cfg
	return nil
}

func runWatcher(s string) error {
	w, err := newWatcher()
	if err != nil {
		return err
	}
	w.Watch()
	return w.Load(s)
}

// fixedWatcher's run hands the loop an empty config when Load fails.
type fixedWatcher struct {
	configs chan string
}

func newFixedWatcher() (*fixedWatcher, error) {
	return &fixedWatcher{configs: make(chan string)}, nil
}

// Watch starts the loop.
func (w *fixedWatcher) Watch() { go w.loop() }

func (w *fixedWatcher) loop() {
	cfg := <-w.configs
	println(cfg)
}

// Load parses s and hands it to the loop, or an empty config.
func (w *fixedWatcher) Load(s string) error {
	cfg, err := parse(s)
	if err != nil {
		w.configs <- ""
		return err
	}
	w.configs <- cfg
	return nil
}

func runFixedWatcher(s string) error {
	w, err := newFixedWatcher()
	if err != nil {
		return err
	}
	w.Watch()
	return w.Load(s)
}

func compute() int { return 1 }

func validate() error { return nil }

// job computes in a goroutine Run starts and hands the value to Result;
// runJob gives up between the two, leaving the sender waiting.
type job struct {
	out chan int
}

func newJob() *job { return &job{out: make(chan int)} }

// Run starts the computation.
func (j *job) Run() {
	go func() {
		j.out <- compute() // want `this send can block forever`
	}()
}

// Result waits for the value.
func (j *job) Result() int { return <-j.out }

func runJob() (int, error) {
	j := newJob()
	j.Run()
	if err := validate(); err != nil {
		return 0, err
	}
	return j.Result(), nil
}

// fixedJob's client validates before it starts the computation.
type fixedJob struct {
	out chan int
}

func newFixedJob() *fixedJob { return &fixedJob{out: make(chan int)} }

// Run starts the computation.
func (j *fixedJob) Run() {
	go func() {
		j.out <- compute()
	}()
}

// Result waits for the value.
func (j *fixedJob) Result() int { return <-j.out }

func runFixedJob() (int, error) {
	if err := validate(); err != nil {
		return 0, err
	}
	j := newFixedJob()
	j.Run()
	return j.Result(), nil
}
