// Package bug is a held-out kernel (issue 14): a Kubernetes metadata
// store whose informer handler holds the store's lock and calls exported
// lookups that lock it again.
//
// Upstream: grafana/beyla#1321 ("Fix potential deadlock in store.go")
// Round: 3
//
// Bug: grafana/beyla#1320 added the missing locking to the kube Store's
// lookup functions (a concurrent map read and write had crashed
// ServiceNameNamespaceForIP). Some of those functions were also invoked
// from Store methods that already held s.access, so an informer event
// arriving on the handler path locked s.access and then, inside the
// lookup, tried to lock it again: the informer goroutine blocks forever
// and every later lookup with it. The PR says only that callers already
// held the lock; which handler calls which lookup is our reduction.
//
// Fix: the lookups have unexported *Locked variants that assume the lock
// is held; the handler calls those, and the exported functions lock and
// delegate.
package bug

import "sync"

// EventType is an informer event's kind.
type EventType int

const (
	EventCreated EventType = iota
	EventUpdated
	EventDeleted
)

// ObjectMeta is the metadata the informers send for pods and services.
type ObjectMeta struct {
	Name      string
	Namespace string
	Kind      string
	Ips       []string
	OwnerName string
}

// Event is one informer notification.
type Event struct {
	Type EventType
	Meta *ObjectMeta
}

type qualifiedName struct{ name, namespace string }

// Store caches Kubernetes metadata for the name resolver.
type Store struct {
	access sync.RWMutex

	ipInfos          map[string]*ObjectMeta
	otelServiceNames map[string]qualifiedName // ip -> service name
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{ipInfos: map[string]*ObjectMeta{}, otelServiceNames: map[string]qualifiedName{}}
}

// On is the informers' event handler.
func (s *Store) On(ev *Event) {
	s.access.Lock()
	defer s.access.Unlock()
	switch ev.Type {
	case EventCreated, EventUpdated:
		for _, ip := range ev.Meta.Ips {
			s.ipInfos[ip] = ev.Meta
		}
		s.cacheServiceNames(ev.Meta)
	case EventDeleted:
		for _, ip := range ev.Meta.Ips {
			delete(s.ipInfos, ip)
			delete(s.otelServiceNames, ip)
		}
	}
}

// cacheServiceNames precomputes the service name of each of the object's
// IPs. s.access must be held.
func (s *Store) cacheServiceNames(meta *ObjectMeta) {
	for _, ip := range meta.Ips {
		name, ns := s.ServiceNameNamespaceForIP(ip) // heldout:site
		s.otelServiceNames[ip] = qualifiedName{name: name, namespace: ns}
	}
}

// ServiceNameNamespaceForIP returns the service name and namespace of
// the object owning ip.
func (s *Store) ServiceNameNamespaceForIP(ip string) (string, string) {
	s.access.RLock() // heldout:site
	defer s.access.RUnlock()
	meta, ok := s.ipInfos[ip]
	if !ok {
		return "", ""
	}
	if meta.OwnerName != "" {
		return meta.OwnerName, meta.Namespace
	}
	return meta.Name, meta.Namespace
}

// ObjectMetaByIP returns the metadata of the object owning ip.
func (s *Store) ObjectMetaByIP(ip string) *ObjectMeta {
	s.access.RLock()
	defer s.access.RUnlock()
	return s.ipInfos[ip]
}
