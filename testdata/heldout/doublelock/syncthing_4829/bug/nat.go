// Package bug is a held-out kernel (issue 14): syncthing's NAT service,
// whose Mapping.clearAddresses write-locks the mapping and, still holding
// it, calls notify, which read-locks the same RWMutex to walk the
// subscribers; removing a port mapping blocks the goroutine on itself,
// and the service lock RemoveMapping holds stays taken.
//
// Upstream: syncthing/syncthing#4829 ("lib/nat: Fix clearAddresses/notify deadlock.")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: the PR: "clearAddresses write locks the struct and then calls
// notify. notify in turn tries to obtain a read lock on the same mutex.
// The result was a deadlock." Service.RemoveMapping, which holds the
// service lock around clearAddresses, and the subscriber callbacks are
// kept; the UPnP/NAT-PMP devices, renewals and logging are left out.
//
// Fix: clearAddresses collects the removed addresses under the write
// lock, unlocks, and then calls notify.
package bug

import (
	"fmt"
	"sync"
	"time"
)

// Address is an external IP and port.
type Address struct {
	IP   string
	Port int
}

// MappingChangeSubscriber is told which external addresses came and went.
type MappingChangeSubscriber func(*Mapping, []Address, []Address)

// Mapping is one local port mapped on every NAT device found.
type Mapping struct {
	protocol string
	address  Address

	extAddresses map[string]Address // NAT ID -> Address
	expires      time.Time
	subscribers  []MappingChangeSubscriber
	mut          sync.RWMutex
}

func (m *Mapping) setAddress(id string, address Address) {
	m.mut.Lock()
	if existing, ok := m.extAddresses[id]; !ok || existing != address {
		m.extAddresses[id] = address
	}
	m.mut.Unlock()
}

func (m *Mapping) clearAddresses() {
	m.mut.Lock()
	var removed []Address
	for id, addr := range m.extAddresses {
		removed = append(removed, addr)
		delete(m.extAddresses, id)
	}
	m.expires = time.Time{}
	m.notify(nil, removed) // heldout:site
	m.mut.Unlock()
}

func (m *Mapping) notify(added, removed []Address) {
	m.mut.RLock() // heldout:site
	for _, subscriber := range m.subscribers {
		subscriber(m, added, removed)
	}
	m.mut.RUnlock()
}

// OnChanged registers a subscriber.
func (m *Mapping) OnChanged(subscribed MappingChangeSubscriber) {
	m.mut.Lock()
	m.subscribers = append(m.subscribers, subscribed)
	m.mut.Unlock()
}

func (m *Mapping) String() string {
	return fmt.Sprintf("%s %s:%d", m.protocol, m.address.IP, m.address.Port)
}

// Service keeps the port mappings.
type Service struct {
	mut      sync.RWMutex
	mappings []*Mapping
}

// NewMapping adds a mapping for a local address.
func (s *Service) NewMapping(protocol string, ip string, port int) *Mapping {
	mapping := &Mapping{
		protocol:     protocol,
		address:      Address{IP: ip, Port: port},
		extAddresses: make(map[string]Address),
	}
	s.mut.Lock()
	s.mappings = append(s.mappings, mapping)
	s.mut.Unlock()
	return mapping
}

// RemoveMapping removes a mapping and clears its external addresses.
func (s *Service) RemoveMapping(mapping *Mapping) {
	s.mut.Lock()
	defer s.mut.Unlock()
	for i, existing := range s.mappings {
		if existing == mapping {
			mapping.clearAddresses()
			last := len(s.mappings) - 1
			s.mappings[i] = s.mappings[last]
			s.mappings[last] = nil
			s.mappings = s.mappings[:last]
			return
		}
	}
}

// Remove maps a port, subscribes to it and removes it again.
func Remove() {
	s := &Service{}
	m := s.NewMapping("TCP", "0.0.0.0", 22000)
	m.OnChanged(func(*Mapping, []Address, []Address) {})
	m.setAddress("igd-1", Address{IP: "203.0.113.7", Port: 51744})
	s.RemoveMapping(m)
}
