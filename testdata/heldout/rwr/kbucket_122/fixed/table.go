// Package fixed is the fixed version of rwr/kbucket_122: UsefulNewPeer
// looks the peer up in its bucket, under the read lock it already holds,
// instead of calling Find.
package fixed

import (
	"container/list"
	"crypto/sha256"
	"math/bits"
	"sort"
	"sync"
	"time"
)

// ID is a peer's id.
type ID string

type dhtID [32]byte

func convertPeerID(p ID) dhtID { return sha256.Sum256([]byte(p)) }

func commonPrefixLen(a, b dhtID) int {
	for i := range a {
		if x := a[i] ^ b[i]; x != 0 {
			return i*8 + bits.LeadingZeros8(x)
		}
	}
	return len(a) * 8
}

// PeerInfo is a peer in a bucket.
type PeerInfo struct {
	Id           ID
	LastUsefulAt time.Time
	dhtId        dhtID
	replaceable  bool
}

type bucket struct {
	list *list.List
}

func newBucket() *bucket { return &bucket{list: list.New()} }

func (b *bucket) getPeer(p ID) *PeerInfo {
	for e := b.list.Front(); e != nil; e = e.Next() {
		if pi := e.Value.(*PeerInfo); pi.Id == p {
			return pi
		}
	}
	return nil
}

func (b *bucket) remove(p ID) bool {
	for e := b.list.Front(); e != nil; e = e.Next() {
		if e.Value.(*PeerInfo).Id == p {
			b.list.Remove(e)
			return true
		}
	}
	return false
}

func (b *bucket) peers() []PeerInfo {
	ps := make([]PeerInfo, 0, b.list.Len())
	for e := b.list.Front(); e != nil; e = e.Next() {
		ps = append(ps, *e.Value.(*PeerInfo))
	}
	return ps
}

func (b *bucket) len() int { return b.list.Len() }

// RoutingTable is the DHT's table of peers, by common prefix length.
type RoutingTable struct {
	local      dhtID
	tabLock    sync.RWMutex
	buckets    []*bucket
	bucketsize int

	PeerAdded   func(ID)
	PeerRemoved func(ID)
}

// NewRoutingTable returns an empty table.
func NewRoutingTable(bucketsize int, local ID) *RoutingTable {
	return &RoutingTable{
		local:       convertPeerID(local),
		buckets:     []*bucket{newBucket()},
		bucketsize:  bucketsize,
		PeerAdded:   func(ID) {},
		PeerRemoved: func(ID) {},
	}
}

func (rt *RoutingTable) bucketIdForPeer(p ID) int {
	cpl := commonPrefixLen(rt.local, convertPeerID(p))
	if cpl >= len(rt.buckets) {
		cpl = len(rt.buckets) - 1
	}
	return cpl
}

// UsefulNewPeer reports whether p would be a useful addition to the table.
func (rt *RoutingTable) UsefulNewPeer(p ID) bool {
	rt.tabLock.RLock()
	defer rt.tabLock.RUnlock()

	bucketID := rt.bucketIdForPeer(p)
	b := rt.buckets[bucketID]

	if b.getPeer(p) != nil {
		return false
	}
	if b.len() < rt.bucketsize {
		return true
	}
	for e := b.list.Front(); e != nil; e = e.Next() {
		if e.Value.(*PeerInfo).replaceable {
			return true
		}
	}
	return false
}

// Find returns p if it is in the table, or the empty ID.
func (rt *RoutingTable) Find(p ID) ID {
	srch := rt.NearestPeer(convertPeerID(p))
	if srch == p {
		return srch
	}
	return ""
}

// NearestPeer returns the peer closest to id.
func (rt *RoutingTable) NearestPeer(id dhtID) ID {
	peers := rt.NearestPeers(id, 1)
	if len(peers) > 0 {
		return peers[0]
	}
	return ""
}

// NearestPeers returns the count peers closest to id.
func (rt *RoutingTable) NearestPeers(id dhtID, count int) []ID {
	rt.tabLock.RLock()
	defer rt.tabLock.RUnlock()

	var all []PeerInfo
	for _, b := range rt.buckets {
		all = append(all, b.peers()...)
	}
	sort.Slice(all, func(i, j int) bool {
		return commonPrefixLen(all[i].dhtId, id) > commonPrefixLen(all[j].dhtId, id)
	})
	out := make([]ID, 0, count)
	for i := 0; i < len(all) && i < count; i++ {
		out = append(out, all[i].Id)
	}
	return out
}

// TryAddPeer adds p to the table if its bucket has room.
func (rt *RoutingTable) TryAddPeer(p ID, queryPeer bool) bool {
	rt.tabLock.Lock()
	defer rt.tabLock.Unlock()

	b := rt.buckets[rt.bucketIdForPeer(p)]
	if pi := b.getPeer(p); pi != nil {
		if queryPeer && pi.LastUsefulAt.IsZero() {
			pi.LastUsefulAt = time.Now()
		}
		return false
	}
	if b.len() >= rt.bucketsize {
		return false
	}
	pi := &PeerInfo{Id: p, dhtId: convertPeerID(p), replaceable: !queryPeer}
	if queryPeer {
		pi.LastUsefulAt = time.Now()
	}
	b.list.PushFront(pi)
	rt.PeerAdded(p)
	return true
}

// RemovePeer removes p from the table.
func (rt *RoutingTable) RemovePeer(p ID) {
	rt.tabLock.Lock()
	defer rt.tabLock.Unlock()
	if rt.buckets[rt.bucketIdForPeer(p)].remove(p) {
		rt.PeerRemoved(p)
	}
}
