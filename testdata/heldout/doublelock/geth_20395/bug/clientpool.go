// Package bug is a held-out kernel (issue 14): double lock through a
// callback.
//
// Upstream: ethereum/go-ethereum#20395 ("les: fix clientInfo deadlock")
//
// Bug: clientPool.forClients holds the pool's lock while it calls the
// callback for each requested id; the API's callback, for a node that is not
// connected, calls getPosBalance, which locks the pool again.
//
// Fix: forClients looks the balance up itself under the lock and passes it
// to the callback, which no longer calls back into the pool.
package bug

import "sync"

// ID names a node.
type ID [4]byte

type posBalance struct{ value uint64 }

type clientInfo struct {
	id      ID
	balance posBalance
}

type nodeDB struct{ pos map[ID]posBalance }

func (db *nodeDB) getOrNewPosBalance(id ID) posBalance { return db.pos[id] }

type clientPool struct {
	lock      sync.Mutex
	connected map[ID]*clientInfo
	ndb       *nodeDB
}

// forClients calls cb for each id, with the client when it is connected.
func (f *clientPool) forClients(ids []ID, cb func(client *clientInfo, id ID)) {
	f.lock.Lock()
	defer f.lock.Unlock()
	for _, id := range ids {
		cb(f.connected[id], id) // heldout:site
	}
}

// getPosBalance returns a node's positive balance.
func (f *clientPool) getPosBalance(id ID) posBalance {
	f.lock.Lock() // heldout:site
	defer f.lock.Unlock()
	return f.ndb.getOrNewPosBalance(id)
}

type LightServer struct{ clientPool *clientPool }

// PrivateLightServerAPI is the les_ RPC namespace.
type PrivateLightServerAPI struct{ server *LightServer }

// ClientInfo returns information about clients listed in the ids list.
func (api *PrivateLightServerAPI) ClientInfo(ids []ID) map[ID]map[string]any {
	res := make(map[ID]map[string]any)
	api.server.clientPool.forClients(ids, func(client *clientInfo, id ID) {
		res[id] = api.clientInfo(client, id)
	})
	return res
}

func (api *PrivateLightServerAPI) clientInfo(c *clientInfo, id ID) map[string]any {
	info := make(map[string]any)
	if c != nil {
		info["isConnected"] = true
		info["pricing/balance"] = c.balance.value
	} else {
		info["isConnected"] = false
		pb := api.server.clientPool.getPosBalance(id)
		info["pricing/balance"] = pb.value
	}
	return info
}
