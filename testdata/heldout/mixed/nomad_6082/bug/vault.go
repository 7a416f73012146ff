// Package bug is a held-out kernel (issue 14): killing and waiting for a
// tomb while holding the lock that the tomb's goroutine needs to exit.
//
// Upstream: hashicorp/nomad#6082 ("vault: fix deadlock in SetConfig")
// Round: 2
//
// Bug (from the PR): SetConfig calls tomb.Kill+tomb.Wait while holding
// v.l; establishConnection needs v.l to exit, and tomb.Wait cannot return
// until establishConnection does.
//
//	SetConfig -> tomb.Wait
//	   ^              |
//	   |              v
//	v.l    <- establishConnection
//
// Fix: SetConfig releases v.l around Kill and Wait. (The tomb here is a
// reduction of gopkg.in/tomb.v2 to the standard library.)
package bug

import (
	"sync"
	"time"
)

type tomb struct {
	once  sync.Once
	dying chan struct{}
	dead  chan struct{}
}

func newTomb() *tomb { return &tomb{dying: make(chan struct{}), dead: make(chan struct{})} }

func (t *tomb) Go(f func()) {
	go func() {
		defer close(t.dead)
		f()
	}()
}
func (t *tomb) Kill()                  { t.once.Do(func() { close(t.dying) }) }
func (t *tomb) Dying() <-chan struct{} { return t.dying }
func (t *tomb) Wait()                  { <-t.dead }

// VaultConfig is the agent's Vault configuration.
type VaultConfig struct {
	Enabled bool
	Addr    string
	Token   string
}

type vaultClient struct {
	l               sync.RWMutex
	config          *VaultConfig
	running         bool
	connEstablished bool
	tomb            *tomb
	health          func(addr string) error
}

func (v *vaultClient) establishConnection() {
	retryTimer := time.NewTimer(0)
	defer retryTimer.Stop()
	for {
		select {
		case <-v.tomb.Dying():
			return
		case <-retryTimer.C:
		}
		v.l.RLock() // heldout:site
		addr := v.config.Addr
		v.l.RUnlock()
		if err := v.health(addr); err == nil {
			break
		}
		retryTimer.Reset(time.Second)
	}
	v.l.Lock()
	v.connEstablished = true
	v.l.Unlock()
}

// SetConfig updates the configuration and restarts the connection.
func (v *vaultClient) SetConfig(config *VaultConfig) error {
	v.l.Lock()
	defer v.l.Unlock()
	if v.running {
		v.tomb.Kill()
		v.tomb.Wait() // heldout:site
		v.running = false
	}
	v.config = config
	v.connEstablished = false
	if config.Enabled {
		v.tomb = newTomb()
		v.running = true
		v.tomb.Go(v.establishConnection)
	}
	return nil
}
