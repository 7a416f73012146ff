// Package bug is a held-out kernel (issue 14): lock-order inversion between
// the IP cache's metadata lock and the IP cache's own mutex.
//
// Upstream: cilium/cilium#21565 ("ipcache: Fix metadata access from CIDR allocation", fixes cilium/cilium#20721)
//
// Bug: the documented order is metadata, then IPCache. The label injector
// locks the metadata and then the cache to upsert identities; CIDR
// allocation held the cache's mutex and then read the metadata through
// metadata.get, which read-locks the metadata.
//
// Fix: allocateCIDRs reads the metadata before it locks the cache.
package bug

import "sync"

// metadata holds the labels of each prefix; lock it before IPCache.mutex.
type metadata struct {
	sync.RWMutex
	m map[string][]string
}

func (m *metadata) get(prefix string) []string {
	m.RLock() // heldout:site
	defer m.RUnlock()
	return m.m[prefix]
}

// IPCache maps prefixes to identities.
type IPCache struct {
	mutex    sync.RWMutex
	ipToID   map[string]uint32
	metadata *metadata
}

// InjectLabels turns the metadata into identities.
func (ipc *IPCache) InjectLabels(prefixes []string) {
	ipc.metadata.Lock()
	defer ipc.metadata.Unlock()
	for _, p := range prefixes {
		ipc.mutex.Lock() // heldout:site
		ipc.ipToID[p] = uint32(len(ipc.metadata.m[p]))
		ipc.mutex.Unlock()
	}
}

// allocateCIDRs allocates identities for CIDR prefixes.
func (ipc *IPCache) allocateCIDRs(prefixes []string) []uint32 {
	ipc.mutex.Lock()
	defer ipc.mutex.Unlock()
	ids := make([]uint32, 0, len(prefixes))
	for _, p := range prefixes {
		lbls := ipc.metadata.get(p) // heldout:site
		id := uint32(len(lbls)) + 1
		ipc.ipToID[p] = id
		ids = append(ids, id)
	}
	return ids
}

// Run allocates CIDRs while labels are injected.
func Run(ipc *IPCache) {
	go ipc.InjectLabels([]string{"10.0.0.0/8"})
	go ipc.allocateCIDRs([]string{"10.0.0.0/8"})
}
