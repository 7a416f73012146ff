package fixed

import "sync"

// CancelFunc stops a watch.
type CancelFunc func()

// Manager runs a state per registered proxy and fans the snapshots out to
// the xDS streams watching them.
type Manager struct {
	mu       sync.Mutex
	proxies  map[string]*state
	watchers map[string]map[uint64]chan *ConfigSnapshot
	maxIdx   uint64
}

// NewManager returns a manager with no proxies.
func NewManager() *Manager {
	return &Manager{
		proxies:  make(map[string]*state),
		watchers: make(map[string]map[uint64]chan *ConfigSnapshot),
	}
}

// Register starts tracking a proxy.
func (m *Manager) Register(proxyID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.proxies[proxyID]; ok {
		return
	}
	st := newState(proxyID)
	m.proxies[proxyID] = st
	go m.notifyBroadcast(st.Watch())
}

func (m *Manager) notifyBroadcast(ch <-chan ConfigSnapshot) {
	for snap := range ch {
		m.notify(&snap)
	}
}

func (m *Manager) notify(snap *ConfigSnapshot) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, ch := range m.watchers[snap.ProxyID] {
		m.deliverLatest(snap, ch)
	}
}

// deliverLatest replaces whatever snapshot is waiting in ch with snap.
func (m *Manager) deliverLatest(snap *ConfigSnapshot, ch chan *ConfigSnapshot) {
	select {
	case ch <- snap:
		return
	default:
	}
	select {
	case <-ch:
	default:
	}
	select {
	case ch <- snap:
	default:
	}
}

// Watch registers a watcher for the proxy's snapshots; the current one,
// if valid, is delivered right away.
func (m *Manager) Watch(proxyID string) (<-chan *ConfigSnapshot, CancelFunc) {
	m.mu.Lock()
	defer m.mu.Unlock()

	ch := make(chan *ConfigSnapshot, 1)
	watchers, ok := m.watchers[proxyID]
	if !ok {
		watchers = make(map[uint64]chan *ConfigSnapshot)
		m.watchers[proxyID] = watchers
	}
	idx := m.maxIdx
	m.maxIdx++
	watchers[idx] = ch

	if st, ok := m.proxies[proxyID]; ok {
		if snap := st.CurrentSnapshot(); snap != nil {
			m.deliverLatest(snap, ch)
		}
	}
	return ch, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		delete(m.watchers[proxyID], idx)
	}
}
