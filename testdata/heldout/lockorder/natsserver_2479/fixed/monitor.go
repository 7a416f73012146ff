// Package fixed is the fixed version of lockorder/natsserver_2479: Varz
// reads the JetStream state after releasing the server lock.
package fixed

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
	s.mu.Lock()
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
	if sacc := js.srv.SystemAccount(); sacc != nil && sacc.Name == a.Name {
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
	v := &Varz{ID: s.info.ID, Now: time.Now(), Conns: len(s.clients)}
	js := s.js
	s.mu.Unlock()
	if js != nil {
		s.updateJszVarz(js, &v.JetStream, true)
	}
	return v
}

// updateJszVarz fills in the JetStream part of Varz. It must not be
// called with s.mu held: the order is js.mu, then s.mu.
func (s *Server) updateJszVarz(js *jetStream, v *JetStreamVarz, doConfig bool) {
	js.mu.RLock()
	defer js.mu.RUnlock()
	if doConfig {
		v.Config = js.config
	}
	v.Stats = JetStreamStats{Memory: js.memUsed, Store: js.storeUsed, Accounts: len(js.accounts)}
}
