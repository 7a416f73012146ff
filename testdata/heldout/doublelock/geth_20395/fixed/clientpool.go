// Package fixed is the fixed version of doublelock/geth_20395: the balance
// is looked up under forClients' lock and passed to the callback.
package fixed

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

// forClients calls cb for each id with the client (nil when disconnected)
// and its balance, both read under the pool's lock.
func (f *clientPool) forClients(ids []ID, cb func(client *clientInfo, id ID, pb posBalance)) {
	f.lock.Lock()
	defer f.lock.Unlock()
	for _, id := range ids {
		c := f.connected[id]
		var pb posBalance
		if c != nil {
			pb = c.balance
		} else {
			pb = f.ndb.getOrNewPosBalance(id)
		}
		cb(c, id, pb)
	}
}

// getPosBalance returns a node's positive balance.
func (f *clientPool) getPosBalance(id ID) posBalance {
	f.lock.Lock()
	defer f.lock.Unlock()
	return f.ndb.getOrNewPosBalance(id)
}

type LightServer struct{ clientPool *clientPool }

// PrivateLightServerAPI is the les_ RPC namespace.
type PrivateLightServerAPI struct{ server *LightServer }

// ClientInfo returns information about clients listed in the ids list.
func (api *PrivateLightServerAPI) ClientInfo(ids []ID) map[ID]map[string]any {
	res := make(map[ID]map[string]any)
	api.server.clientPool.forClients(ids, func(client *clientInfo, id ID, pb posBalance) {
		res[id] = api.clientInfo(client, pb)
	})
	return res
}

func (api *PrivateLightServerAPI) clientInfo(c *clientInfo, pb posBalance) map[string]any {
	info := make(map[string]any)
	info["isConnected"] = c != nil
	info["pricing/balance"] = pb.value
	return info
}
