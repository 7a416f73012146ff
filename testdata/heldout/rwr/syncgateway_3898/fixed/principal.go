// Package fixed is the fixed version of rwr/syncgateway_3898: the channel
// computer's callback runs under its caller's read lock and does not take
// the bucket lock again.
package fixed

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

// ComputeChannelsForPrincipal queries the access view for p. It is only
// called from the authenticator, under GetPrincipal's read lock.
func (db *DatabaseContext) ComputeChannelsForPrincipal(p *Principal) ([]string, error) {
	if db.Bucket == nil {
		return nil, errors.New("database closed")
	}
	return append(append([]string(nil), p.AdminChannels...), db.views[p.Name]...), nil
}

// GetPrincipal loads a principal while the bucket cannot be closed.
func (db *DatabaseContext) GetPrincipal(name string) (*Principal, error) {
	db.BucketLock.RLock()
	defer db.BucketLock.RUnlock()

	if db.Bucket == nil {
		return nil, errors.New("database closed")
	}
	return db.auth.GetPrincipal(name)
}

// Close tears the bucket down once no reader holds it.
func (db *DatabaseContext) Close() {
	db.BucketLock.Lock()
	defer db.BucketLock.Unlock()

	if db.Bucket != nil {
		db.Bucket.Close()
		db.Bucket = nil
	}
}
