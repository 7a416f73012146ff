// Package bug is a held-out kernel (issue 14): killing and waiting for a
// tomb while holding the lock that the tomb's goroutine needs to exit.
//
// Upstream: hashicorp/nomad#6082 ("vault: fix deadlock in SetConfig")
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
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
// Fix: SetConfig releases v.l around tomb.Wait, after Kill ("Locking
// around tomb.Wait can deadlock with establishConnection exiting, so we
// must unlock here."). (The tomb here is a reduction of gopkg.in/tomb.v2
// to the standard library; the revoke daemon and client building are left
// out.)
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

	// ConnectionRetryIntv is the interval between connection attempts.
	ConnectionRetryIntv time.Duration
}

type vaultClient struct {
	l               sync.RWMutex
	config          *VaultConfig
	running         bool
	connEstablished bool
	// connEstablishedErr is the error from the last connection attempt
	connEstablishedErr error
	tomb               *tomb
	health             func(addr string) error
}

// newVaultClient returns a client for the config, connecting in the
// background if Vault is enabled.
func newVaultClient(c *VaultConfig, health func(addr string) error) *vaultClient {
	v := &vaultClient{
		config: c,
		tomb:   newTomb(),
		health: health,
	}
	if v.config.Enabled {
		// Launch the required goroutines
		v.tomb.Go(v.establishConnection)
		v.running = true
	}
	return v
}

func (v *vaultClient) establishConnection() {
	// Create the retry timer and set initial duration to zero so it fires
	// immediately
	retryTimer := time.NewTimer(0)
	defer retryTimer.Stop()
OUTER:
	for {
		select {
		case <-v.tomb.Dying():
			return
		case <-retryTimer.C:
			// Ensure the API is reachable
			if err := v.health(v.config.Addr); err != nil {
				v.l.Lock() // heldout:site
				v.connEstablished = false
				v.connEstablishedErr = err
				v.l.Unlock()
				retryTimer.Reset(v.config.ConnectionRetryIntv)
				continue OUTER
			}
			break OUTER
		}
	}
	v.l.Lock() // heldout:site
	v.connEstablished = true
	v.connEstablishedErr = nil
	v.l.Unlock()
}

// SetConfig is used to update the Vault config being used. A temporary
// outage may occur after calling this method.
func (v *vaultClient) SetConfig(config *VaultConfig) error {
	v.l.Lock()
	defer v.l.Unlock()

	// Kill any background routines
	if v.running {
		// Stop accepting any new request
		v.connEstablished = false

		// Kill any background routine and create a new tomb
		v.tomb.Kill()
		v.tomb.Wait() // heldout:site
		v.tomb = newTomb()
		v.running = false
	}

	// Store the new config
	v.config = config

	// Check if we should relaunch
	if v.config.Enabled {
		// Launch the required goroutines
		v.tomb.Go(v.establishConnection)
		v.running = true
	}
	return nil
}
