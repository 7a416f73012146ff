package dev

import (
	"errors"
	"sync"
)

// Upstream: bufbuild/buf#2709
//
// A module's digest check was a sync.OnceValue stored in a field by the
// constructor; its function read the module's files through the exported
// accessor, which first calls the digest check: the inner call waits for
// the outer once function, which waits for it. The accessor and the
// function literal call each other (a cycle), and the literal captures the
// object whose field keeps the wrapper. Fix: the check reads the files
// through the loader directly.
type module struct {
	load  func() ([]byte, error)
	check func() error
}

func newModule(load func() ([]byte, error), want int) *module {
	m := &module{}
	m.load = sync.OnceValues(load)
	m.check = sync.OnceValue(func() error {
		b, err := m.files()
		if err == nil && len(b) != want {
			err = errors.New("digest mismatch")
		}
		return err
	})
	return m
}

func (m *module) files() ([]byte, error) {
	if err := m.check(); err != nil { // want `m.check \(a sync.OnceFunc/OnceValue wrapper\) is called again from inside its own function`
		return nil, err
	}
	return m.load()
}

// The fix: the check goes to the loader, not back through files.
type moduleOK struct {
	load  func() ([]byte, error)
	check func() error
}

func newModuleOK(load func() ([]byte, error), want int) *moduleOK {
	m := &moduleOK{}
	m.load = sync.OnceValues(load)
	m.check = sync.OnceValue(func() error {
		b, err := m.load()
		if err == nil && len(b) != want {
			err = errors.New("digest mismatch")
		}
		return err
	})
	return m
}

func (m *moduleOK) files() ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	return m.load()
}

// A variant written differently: a OnceFunc set in a composite literal
// whose function starts the service through a helper two calls away from
// the re-entry.
type service struct {
	init    func()
	running bool
}

func newService() *service {
	s := &service{}
	s.init = sync.OnceFunc(func() { s.start() })
	return s
}

func (s *service) start() { s.prepare() }

func (s *service) prepare() {
	s.ensure()
	s.running = true
}

func (s *service) ensure() {
	s.init() // want `s.init \(a sync.OnceFunc/OnceValue wrapper\) is called again`
}

// The look-alike: the once function prepares the service without going
// back through ensure.
type serviceOK struct {
	init    func()
	running bool
}

func newServiceOK() *serviceOK {
	s := &serviceOK{}
	s.init = sync.OnceFunc(func() { s.prepare() })
	return s
}

func (s *serviceOK) prepare() { s.running = true }

func (s *serviceOK) ensure() { s.init() }

func (s *serviceOK) start() {
	s.ensure()
	s.prepare()
}
