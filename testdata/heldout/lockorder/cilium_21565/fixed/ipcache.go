// Package fixed is the fixed version of lockorder/cilium_21565: metadata is
// read before the cache is locked.
package fixed

import "sync"

// metadata holds the labels of each prefix; lock it before IPCache.mutex.
type metadata struct {
	sync.RWMutex
	m map[string][]string
}

func (m *metadata) get(prefix string) []string {
	m.RLock()
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
		ipc.mutex.Lock()
		ipc.ipToID[p] = uint32(len(ipc.metadata.m[p]))
		ipc.mutex.Unlock()
	}
}

// allocateCIDRs reads the labels first, then locks the cache.
func (ipc *IPCache) allocateCIDRs(prefixes []string) []uint32 {
	lbls := make([][]string, len(prefixes))
	for i, p := range prefixes {
		lbls[i] = ipc.metadata.get(p)
	}
	ipc.mutex.Lock()
	defer ipc.mutex.Unlock()
	ids := make([]uint32, 0, len(prefixes))
	for i, p := range prefixes {
		id := uint32(len(lbls[i])) + 1
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
