package real

import (
	"errors"
	"sync"
)

// Upstream: moby/moby#30408. A v1 plugin is activated once under its
// activation Cond's lock: a handshake fills in the plugin's manifest, or
// fails and only the activation error is kept. Waiters loop until the
// manifest is there; after a failed handshake the manifest never comes,
// the Broadcast wakes them, they see no manifest and wait again for good.
// Fix: the loop also ends once the activation error is set.
type manifest struct{ implements []string }

type plugin struct {
	activateWait *sync.Cond
	manifest     *manifest
	activateErr  error
	handshake    func() (*manifest, error)
}

func newPlugin(handshake func() (*manifest, error)) *plugin {
	return &plugin{activateWait: sync.NewCond(&sync.Mutex{}), handshake: handshake}
}

func (p *plugin) activated() bool { return p.manifest != nil }

func (p *plugin) activateWithLock() error {
	m, err := p.handshake()
	if err != nil {
		return err
	}
	p.manifest = m
	return nil
}

func (p *plugin) activate() error {
	p.activateWait.L.Lock()
	if p.activated() {
		p.activateWait.L.Unlock()
		return p.activateErr
	}
	p.activateErr = p.activateWithLock()
	p.activateWait.L.Unlock()
	p.activateWait.Broadcast()
	return p.activateErr
}

func (p *plugin) waitActive() error {
	p.activateWait.L.Lock()
	for !p.activated() {
		p.activateWait.Wait() // want `Wait on activateWait in waitActive ends only when new data comes into manifest, but activate sets activateErr`
	}
	p.activateWait.L.Unlock()
	return p.activateErr
}

// The fix: the activation error also ends the wait.
type pluginFixed struct {
	activateWait *sync.Cond
	manifest     *manifest
	activateErr  error
	handshake    func() (*manifest, error)
}

func newPluginFixed(handshake func() (*manifest, error)) *pluginFixed {
	return &pluginFixed{activateWait: sync.NewCond(&sync.Mutex{}), handshake: handshake}
}

func (p *pluginFixed) activate() error {
	p.activateWait.L.Lock()
	defer p.activateWait.Broadcast()
	defer p.activateWait.L.Unlock()
	if p.manifest != nil {
		return p.activateErr
	}
	m, err := p.handshake()
	if err != nil {
		p.activateErr = err
		return err
	}
	p.manifest = m
	return nil
}

func (p *pluginFixed) waitActive() error {
	p.activateWait.L.Lock()
	defer p.activateWait.L.Unlock()
	for p.manifest == nil && p.activateErr == nil {
		p.activateWait.Wait()
	}
	return p.activateErr
}

// A variant: a connection pool's dialer stores the connection, or on a
// failed dial only the error, and the waiter tests the connection alone.
type dialConn struct{ addr string }

type dialer struct {
	mu   sync.Mutex
	cond *sync.Cond
	conn *dialConn
	err  error
}

func newDialer() *dialer {
	d := &dialer{}
	d.cond = sync.NewCond(&d.mu)
	return d
}

func (d *dialer) failed(err error) {
	d.mu.Lock()
	d.err = err
	d.mu.Unlock()
	d.cond.Broadcast()
}

func (d *dialer) connected(c *dialConn) {
	d.mu.Lock()
	d.conn = c
	d.mu.Unlock()
	d.cond.Broadcast()
}

func (d *dialer) get() *dialConn {
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.conn == nil {
		d.cond.Wait() // want `Wait on cond in get ends only when new data comes into conn, but failed sets err`
	}
	return d.conn
}

// A look-alike: the connection is dropped again (set back to nil), so it
// is a state the waiter waits on, not data that may never come.
type redialer struct {
	mu   sync.Mutex
	cond *sync.Cond
	conn *dialConn
	err  error
}

func newRedialer() *redialer {
	d := &redialer{}
	d.cond = sync.NewCond(&d.mu)
	return d
}

func (d *redialer) failed() {
	d.mu.Lock()
	d.err = errors.New("dial failed")
	d.conn = nil
	d.mu.Unlock()
	d.cond.Broadcast()
}

func (d *redialer) connected(c *dialConn) {
	d.mu.Lock()
	d.conn = c
	d.mu.Unlock()
	d.cond.Broadcast()
}

func (d *redialer) get() *dialConn {
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.conn == nil {
		d.cond.Wait()
	}
	return d.conn
}
