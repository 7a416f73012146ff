// Package fixed is the fixed version of mixed/nomad_6082: SetConfig waits
// for the tomb without holding v.l.
package fixed

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
		v.l.RLock()
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
	if v.running {
		t := v.tomb
		v.l.Unlock()
		t.Kill()
		t.Wait()
		v.l.Lock()
		v.running = false
	}
	defer v.l.Unlock()
	v.config = config
	v.connEstablished = false
	if config.Enabled {
		v.tomb = newTomb()
		v.running = true
		v.tomb.Go(v.establishConnection)
	}
	return nil
}
