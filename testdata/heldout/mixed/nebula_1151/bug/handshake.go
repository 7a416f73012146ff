// Package bug is a held-out kernel (issue 14): a VPN node whose
// GetOrHandshake keeps the main host map's read lock while it starts a
// handshake, which queues a lighthouse query on a bounded channel; the
// query worker that drains that channel sends through the interface,
// which calls GetOrHandshake and needs the same read lock, while a
// handshake completing elsewhere waits for the write lock.
//
// Upstream: slackhq/nebula#1151 ("remove deadlock in GetOrHandshake")
// Round: 7
// Seen: 2026-11-27, development set (helpers read this round-7 kernel to tune the analyzers, after round 7 was measured; round 8 stays held out)
//
// Bug: GetOrHandshake RLocks mainHostMap and, when the host is not
// there, defers the RUnlock and calls StartHandshake, which ends with
// lightHouse.QueryServer: a plain send on queryChan (buffered, 64 by
// default). The query worker goroutine receives from queryChan and sends
// a query to each lighthouse with ifce.SendMessageToVpnIp, which goes
// back through GetOrHandshake and its RLock. When the buffer is full and
// CheckAndComplete is queued on mainHostMap.Lock, the worker's RLock
// waits behind the writer, the writer waits for the first reader, and
// that reader waits for room in queryChan. The PR: "StartHandshake can
// block while sending to the lighthouse query worker channel, and that
// worker needs to be able to grab the hostmap lock to do its work." The
// interface type standing for nebula's Interface is our reduction.
//
// Fix: GetOrHandshake reads the map under the read lock and releases it
// before calling StartHandshake.
package bug

import (
	"context"
	"sync"
)

// HostInfo is one tunnel.
type HostInfo struct {
	vpnIP       uint32
	localIndex  uint32
	handshakeNo uint64
}

// HostMap holds the established tunnels.
type HostMap struct {
	sync.RWMutex
	Hosts   map[uint32]*HostInfo
	Indexes map[uint32]*HostInfo
}

// LightHouse asks the lighthouses where hosts are.
type LightHouse struct {
	sync.RWMutex
	ctx          context.Context
	amLighthouse bool
	lighthouses  map[uint32]struct{}
	queryChan    chan uint32
	ifce         *Interface
}

// Interface sends packets to hosts.
type Interface struct {
	handshakeManager *HandshakeManager
	send             func(h *HostInfo, payload []byte)
}

// HandshakeManager tracks pending handshakes.
type HandshakeManager struct {
	sync.RWMutex
	vpnIps      map[uint32]*HostInfo
	mainHostMap *HostMap
	lightHouse  *LightHouse
	trigger     chan uint32
}

// NewLightHouse makes a lighthouse client with a bounded query queue.
func NewLightHouse(ctx context.Context, queryBuffer int) *LightHouse {
	return &LightHouse{ctx: ctx, lighthouses: map[uint32]struct{}{}, queryChan: make(chan uint32, queryBuffer)}
}

// GetOrHandshake returns the tunnel to vpnIP, starting a handshake if
// there is none; the bool says whether the tunnel is ready.
func (hm *HandshakeManager) GetOrHandshake(vpnIP uint32) (*HostInfo, bool) {
	hm.mainHostMap.RLock() // heldout:site
	if h, ok := hm.mainHostMap.Hosts[vpnIP]; ok {
		hm.mainHostMap.RUnlock()
		return h, true
	}

	defer hm.mainHostMap.RUnlock()
	return hm.StartHandshake(vpnIP), false // heldout:site
}

// StartHandshake makes sure a handshake with vpnIP is under way.
func (hm *HandshakeManager) StartHandshake(vpnIP uint32) *HostInfo {
	hm.Lock()
	if h, ok := hm.vpnIps[vpnIP]; ok {
		hm.Unlock()
		return h
	}
	h := &HostInfo{vpnIP: vpnIP}
	hm.vpnIps[vpnIP] = h
	hm.Unlock()

	select {
	case hm.trigger <- vpnIP:
	default:
	}

	hm.lightHouse.QueryServer(vpnIP)
	return h
}

// CheckAndComplete moves a finished handshake into the main host map.
func (hm *HandshakeManager) CheckAndComplete(h *HostInfo) *HostInfo {
	hm.mainHostMap.Lock() // heldout:site
	defer hm.mainHostMap.Unlock()
	hm.Lock()
	defer hm.Unlock()

	existing := hm.mainHostMap.Hosts[h.vpnIP]
	if existing != nil && existing.handshakeNo >= h.handshakeNo {
		return existing
	}
	delete(hm.vpnIps, h.vpnIP)
	hm.mainHostMap.Hosts[h.vpnIP] = h
	hm.mainHostMap.Indexes[h.localIndex] = h
	return existing
}

// QueryServer queues a query for vpnIP; it is asynchronous.
func (lh *LightHouse) QueryServer(vpnIP uint32) {
	if lh.amLighthouse || lh.IsLighthouseIP(vpnIP) {
		return
	}
	lh.queryChan <- vpnIP // heldout:site
}

// IsLighthouseIP says whether vpnIP is one of the lighthouses.
func (lh *LightHouse) IsLighthouseIP(vpnIP uint32) bool {
	lh.RLock()
	defer lh.RUnlock()
	_, ok := lh.lighthouses[vpnIP]
	return ok
}

// startQueryWorker drains queryChan.
func (lh *LightHouse) startQueryWorker() {
	if lh.amLighthouse {
		return
	}
	go func() {
		for {
			select {
			case <-lh.ctx.Done():
				return
			case ip := <-lh.queryChan:
				lh.innerQueryServer(ip)
			}
		}
	}()
}

func (lh *LightHouse) innerQueryServer(vpnIP uint32) {
	if lh.IsLighthouseIP(vpnIP) {
		return
	}
	query := []byte{byte(vpnIP >> 24), byte(vpnIP >> 16), byte(vpnIP >> 8), byte(vpnIP)}
	lh.RLock()
	var lighthouses []uint32
	for n := range lh.lighthouses {
		lighthouses = append(lighthouses, n)
	}
	lh.RUnlock()
	for _, n := range lighthouses {
		lh.ifce.SendMessageToVpnIp(n, query)
	}
}

// SendMessageToVpnIp sends payload to vpnIP once its tunnel is up.
func (f *Interface) SendMessageToVpnIp(vpnIP uint32, payload []byte) {
	h, ready := f.handshakeManager.GetOrHandshake(vpnIP)
	if h == nil || !ready {
		return
	}
	f.send(h, payload)
}
