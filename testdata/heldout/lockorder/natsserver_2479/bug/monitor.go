// Package bug is a held-out kernel (issue 14): the monitoring endpoint
// takes the JetStream lock while holding the server lock, against the
// server's jetStream-then-Server lock order.
//
// Upstream: nats-io/nats-server#2479 ("[FIXED] JetStream: possible deadlock due to lock inversion")
// Round: 3
//
// Bug: the lock order is jetStream.mu before Server.mu: JetStream code
// holding js.mu calls server methods such as SystemAccount that take
// s.mu. Varz (the /varz monitoring handler) held s.mu while it read the
// JetStream config and stats under js.mu.RLock. A /varz request racing
// with an account being enabled for JetStream deadlocks both. The PR
// names the inversion and adds updateJszVarz; the enableAccount path and
// the struct fields are our reduction.
//
// Fix: Varz grabs the jetStream pointer under s.mu, releases s.mu, and
// then calls updateJszVarz, which takes js.mu on its own.
package bug

import (
	"errors"
	"sync"
	"time"
)

type JetStreamConfig struct {
	MaxMemory int64
	MaxStore  int64
	StoreDir  string
}

type JetStreamStats struct {
	Memory   uint64
	Store    uint64
	Accounts int
}

type JetStreamVarz struct {
	Config JetStreamConfig
	Stats  JetStreamStats
}

// Varz is the /varz payload.
type Varz struct {
	ID        string
	Now       time.Time
	Conns     int
	JetStream JetStreamVarz
}

type Account struct{ Name string }

type internal struct{ account *Account }

// Server is a NATS server.
type Server struct {
	mu      sync.Mutex
	info    struct{ ID string }
	clients map[uint64]struct{}
	sys     *internal
	js      *jetStream
}

type jetStream struct {
	mu        sync.RWMutex
	srv       *Server
	config    JetStreamConfig
	accounts  map[string]*Account
	memUsed   uint64
	storeUsed uint64
}

// SystemAccount returns the system account, if any.
func (s *Server) SystemAccount() *Account {
	var sacc *Account
	s.mu.Lock() // heldout:site
	if s.sys != nil {
		sacc = s.sys.account
	}
	s.mu.Unlock()
	return sacc
}

// enableAccount turns JetStream on for an account. Lock order:
// js.mu, then s.mu.
func (js *jetStream) enableAccount(a *Account) error {
	js.mu.Lock()
	defer js.mu.Unlock()
	if sacc := js.srv.SystemAccount(); sacc != nil && sacc.Name == a.Name { // heldout:site
		return errors.New("jetstream can not be enabled on the system account")
	}
	if _, ok := js.accounts[a.Name]; ok {
		return errors.New("jetstream already enabled for account")
	}
	js.accounts[a.Name] = a
	return nil
}

// Varz returns the server's general information.
func (s *Server) Varz() *Varz {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := &Varz{ID: s.info.ID, Now: time.Now(), Conns: len(s.clients)}
	if js := s.js; js != nil {
		js.mu.RLock() // heldout:site
		v.JetStream.Config = js.config
		v.JetStream.Stats = JetStreamStats{Memory: js.memUsed, Store: js.storeUsed, Accounts: len(js.accounts)}
		js.mu.RUnlock()
	}
	return v
}
