package shapes

import (
	"errors"
	"sync"
)

// Upstream: 99designs/gqlgen#1399
//
// The response context kept the errors of a request under errorsMu, and
// AddError called the error presenter (set through SetErrorPresenter)
// while holding errorsMu. A presenter that looked at the errors so far
// called GetErrors, which takes errorsMu again: the request hung on its
// own lock. Fix: AddError calls the presenter first and holds errorsMu
// only while appending.
type gqlResponseContext struct {
	errorsMu       sync.Mutex
	errors         []error
	errorPresenter func(err error) error
}

func (c *gqlResponseContext) SetErrorPresenter(f func(err error) error) {
	c.errorPresenter = f
}

func (c *gqlResponseContext) AddError(err error) {
	c.errorsMu.Lock()
	defer c.errorsMu.Unlock()
	c.errors = append(c.errors, c.errorPresenter(err)) // want `c.errorsMu is locked again inside the function literal \(the callback passed to SetErrorPresenter at line \d+\)`
}

func (c *gqlResponseContext) GetErrors() []error {
	c.errorsMu.Lock()
	defer c.errorsMu.Unlock()
	return append([]error(nil), c.errors...)
}

var errGqlTooMany = errors.New("too many errors")

func gqlNewResponseContext() *gqlResponseContext {
	rc := &gqlResponseContext{}
	rc.SetErrorPresenter(func(err error) error {
		if len(rc.GetErrors()) > 10 {
			return errGqlTooMany
		}
		return err
	})
	return rc
}

// The fix: the presenter runs before errorsMu is taken.
type gqlResponseContextFixed struct {
	errorsMu       sync.Mutex
	errors         []error
	errorPresenter func(err error) error
}

func (c *gqlResponseContextFixed) SetErrorPresenter(f func(err error) error) {
	c.errorPresenter = f
}

func (c *gqlResponseContextFixed) AddError(err error) {
	presented := c.errorPresenter(err)
	c.errorsMu.Lock()
	defer c.errorsMu.Unlock()
	c.errors = append(c.errors, presented)
}

func (c *gqlResponseContextFixed) GetErrors() []error {
	c.errorsMu.Lock()
	defer c.errorsMu.Unlock()
	return append([]error(nil), c.errors...)
}

func gqlNewResponseContextFixed() *gqlResponseContextFixed {
	rc := &gqlResponseContextFixed{}
	rc.SetErrorPresenter(func(err error) error {
		if len(rc.GetErrors()) > 10 {
			return errGqlTooMany
		}
		return err
	})
	return rc
}

// A look-alike: the presenter set on one context reads another context's
// errors (a parent request's), a different mutex of the same type.
type gqlChild struct {
	parent *gqlResponseContext2
	own    *gqlResponseContext2
}

type gqlResponseContext2 struct {
	errorsMu       sync.Mutex
	errors         []error
	errorPresenter func(err error) error
}

func (c *gqlResponseContext2) SetErrorPresenter(f func(err error) error) {
	c.errorPresenter = f
}

func (c *gqlResponseContext2) AddError(err error) {
	c.errorsMu.Lock()
	defer c.errorsMu.Unlock()
	c.errors = append(c.errors, c.errorPresenter(err))
}

func (c *gqlResponseContext2) GetErrors() []error {
	c.errorsMu.Lock()
	defer c.errorsMu.Unlock()
	return append([]error(nil), c.errors...)
}

func gqlNewChild(parent *gqlResponseContext2) *gqlChild {
	ch := &gqlChild{parent: parent, own: &gqlResponseContext2{}}
	ch.own.SetErrorPresenter(func(err error) error {
		if len(parent.GetErrors()) > 10 {
			return errGqlTooMany
		}
		return err
	})
	return ch
}
