package dev

import (
	"errors"
	"sync"
)

// Upstream: couchbase/sync_gateway#3898
//
// A database read-locks its bucket lock and asks its authenticator to load
// a user; the authenticator rebuilds the user's roles through a callback
// interface the database itself fills (the database is the authenticator's
// roleSource), and the database's implementation read-locks the same lock
// again. Close write-locks it: queued between the two read locks, it
// blocks the nested one while waiting for the outer one. Fix: the
// callback runs only under its caller's lock.
type roleSource interface {
	rolesOf(name string) ([]string, error)
}

type authn struct {
	src roleSource
}

func (a *authn) load(name string) ([]string, error) {
	return a.src.rolesOf(name)
}

type userDB struct {
	lock   sync.RWMutex
	open   bool
	roles  map[string][]string
	authen *authn
}

func newUserDB() *userDB {
	db := &userDB{open: true, roles: map[string][]string{}}
	db.authen = &authn{src: db}
	return db
}

func (db *userDB) rolesOf(name string) ([]string, error) {
	db.lock.RLock()
	defer db.lock.RUnlock()
	if !db.open {
		return nil, errors.New("closed")
	}
	return db.roles[name], nil
}

func (db *userDB) user(name string) ([]string, error) {
	db.lock.RLock()
	defer db.lock.RUnlock()
	return db.authen.load(name) // want `db.authen.src.lock is read-locked inside db.authen.load .*while this goroutine holds a read lock of db.lock .*by lock class dev.userDB.lock: the path goes back to the owner through the back-pointer dev.authn.src.*when a writer calls Lock in between`
}

func (db *userDB) close() {
	db.lock.Lock()
	defer db.lock.Unlock()
	db.open = false
}

// The fix: the callback does not lock; its caller's read lock covers it.
type roleSourceOK interface {
	rolesOfOK(name string) ([]string, error)
}

type authnOK struct {
	src roleSourceOK
}

func (a *authnOK) load(name string) ([]string, error) {
	return a.src.rolesOfOK(name)
}

type userDBOK struct {
	lock   sync.RWMutex
	open   bool
	roles  map[string][]string
	authen *authnOK
}

func newUserDBOK() *userDBOK {
	db := &userDBOK{open: true, roles: map[string][]string{}}
	db.authen = &authnOK{src: db}
	return db
}

func (db *userDBOK) rolesOfOK(name string) ([]string, error) {
	if !db.open {
		return nil, errors.New("closed")
	}
	return db.roles[name], nil
}

func (db *userDBOK) user(name string) ([]string, error) {
	db.lock.RLock()
	defer db.lock.RUnlock()
	return db.authen.load(name)
}

func (db *userDBOK) close() {
	db.lock.Lock()
	defer db.lock.Unlock()
	db.open = false
}

// A variant: the helper is built by a constructor taking the owner as the
// interface, and the owner stores the result; the outer read lock is
// explicit, and the writer is a method that reloads.
type cfgSource interface {
	cfgValue(k string) string
}

type cfgCache struct {
	src cfgSource
}

func newCfgCache(src cfgSource) *cfgCache {
	return &cfgCache{src: src}
}

func (c *cfgCache) get(k string) string { return c.src.cfgValue(k) }

type cfgStore struct {
	mu    sync.RWMutex
	vals  map[string]string
	cache *cfgCache
}

func newCfgStore() *cfgStore {
	s := &cfgStore{vals: map[string]string{}}
	s.cache = newCfgCache(s)
	return s
}

func (s *cfgStore) cfgValue(k string) string {
	s.mu.RLock()
	v := s.vals[k]
	s.mu.RUnlock()
	return v
}

func (s *cfgStore) both(a, b string) (string, string) {
	s.mu.RLock()
	x := s.vals[a]
	y := s.cache.get(b) // want `s.cache.src.mu is read-locked inside s.cache.get .*while this goroutine holds a read lock of s.mu .*back-pointer dev.cfgCache.src`
	s.mu.RUnlock()
	return x, y
}

func (s *cfgStore) reload(vals map[string]string) {
	s.mu.Lock()
	s.vals = vals
	s.mu.Unlock()
}

// A look-alike: the same nested read locks back through the interface,
// but nothing in the package ever write-locks the class, so no writer can
// queue between them.
type tagSource interface {
	tagOf(k string) string
}

type tagView struct {
	src tagSource
}

func (v *tagView) get(k string) string { return v.src.tagOf(k) }

type tagStore struct {
	mu   sync.RWMutex
	tags map[string]string
	view *tagView
}

func newTagStore(tags map[string]string) *tagStore {
	s := &tagStore{tags: tags}
	s.view = &tagView{src: s}
	return s
}

func (s *tagStore) tagOf(k string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.tags[k]
}

func (s *tagStore) pair(a, b string) (string, string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.tags[a], s.view.get(b)
}
