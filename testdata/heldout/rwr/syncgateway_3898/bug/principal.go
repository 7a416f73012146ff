// Package bug is a held-out kernel (issue 14): loading a user takes the
// database's bucket read lock, and unmarshalling the user calls back into
// the database to compute its channels, which takes the same read lock
// again; a bucket close asking for the write lock between the two read
// locks makes the second RLock wait behind it while it waits for the
// first, and both hang.
//
// Upstream: couchbase/sync_gateway#3898 ("Avoid nested read locks on BucketLock")
// Round: 8
// Seen: 2026-11-27, development set (helpers read this round-8 kernel to tune the analyzers, after round 8 was measured)
//
// Bug: the issue: "Calls to unmarshalPrincipal are making nested read
// lock on context.BucketLock, which deadlocks when someone else requests
// the write lock between the two read locks"; the lock guards the
// bucket against teardown. Our reduction: GetPrincipal holds BucketLock
// for reading while the authenticator reads and unmarshals the
// principal; unmarshalPrincipal rebuilds its channels through the
// ChannelComputer interface, which the database implements under a read
// lock of its own; Close takes the write lock to tear the bucket down.
//
// Fix (our reading of the issue): the computer's callback does not lock
// again; it runs only under the lock its caller holds.
package bug

import (
	"encoding/json"
	"errors"
	"sync"
)

// Bucket stores documents.
type Bucket interface {
	Get(key string) ([]byte, error)
	Close()
}

// Principal is a user or role.
type Principal struct {
	Name          string   `json:"name"`
	AdminChannels []string `json:"admin_channels"`
	Channels      []string `json:"all_channels"`
}

// ChannelComputer computes a principal's channels from the database.
type ChannelComputer interface {
	ComputeChannelsForPrincipal(p *Principal) ([]string, error)
}

// Authenticator loads principals.
type Authenticator struct {
	bucket          Bucket
	channelComputer ChannelComputer
}

func (auth *Authenticator) unmarshalPrincipal(data []byte) (*Principal, error) {
	p := &Principal{}
	if err := json.Unmarshal(data, p); err != nil {
		return nil, err
	}
	chans, err := auth.channelComputer.ComputeChannelsForPrincipal(p)
	if err != nil {
		return nil, err
	}
	p.Channels = chans
	return p, nil
}

// GetPrincipal reads and unmarshals the named principal.
func (auth *Authenticator) GetPrincipal(name string) (*Principal, error) {
	data, err := auth.bucket.Get("_sync:user:" + name)
	if err != nil {
		return nil, err
	}
	return auth.unmarshalPrincipal(data)
}

// DatabaseContext is one database.
type DatabaseContext struct {
	BucketLock sync.RWMutex
	Bucket     Bucket
	auth       *Authenticator
	views      map[string][]string
}

// NewDatabaseContext wires the authenticator back to the database.
func NewDatabaseContext(b Bucket) *DatabaseContext {
	db := &DatabaseContext{Bucket: b, views: map[string][]string{}}
	db.auth = &Authenticator{bucket: b, channelComputer: db}
	return db
}

// ComputeChannelsForPrincipal queries the access view for p.
func (db *DatabaseContext) ComputeChannelsForPrincipal(p *Principal) ([]string, error) {
	db.BucketLock.RLock() // heldout:site
	defer db.BucketLock.RUnlock()

	if db.Bucket == nil {
		return nil, errors.New("database closed")
	}
	return append(append([]string(nil), p.AdminChannels...), db.views[p.Name]...), nil
}

// GetPrincipal loads a principal while the bucket cannot be closed.
func (db *DatabaseContext) GetPrincipal(name string) (*Principal, error) {
	db.BucketLock.RLock() // heldout:site
	defer db.BucketLock.RUnlock()

	if db.Bucket == nil {
		return nil, errors.New("database closed")
	}
	return db.auth.GetPrincipal(name)
}

// Close tears the bucket down once no reader holds it.
func (db *DatabaseContext) Close() {
	db.BucketLock.Lock() // heldout:site
	defer db.BucketLock.Unlock()

	if db.Bucket != nil {
		db.Bucket.Close()
		db.Bucket = nil
	}
}
