// Package bug is a held-out kernel (issue 14): docker's v1 plugin loader,
// whose waitActive waits on the plugin's activation sync.Cond until the
// plugin has a manifest; when activation fails the manifest never comes,
// activate broadcasts with only activateErr set, and every waiter wakes
// up, sees no manifest, and waits again for ever.
//
// Upstream: moby/moby#30408 ("Fix deadlock on v1 plugin with activate error")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: the PR: "When a plugin has an activation error, it was not being
// checked in the waitActive loop. This means it will just wait forever for
// a manifest to be populated even though it may never come." The Plugin
// (activateWait, activateErr, Manifest), activate/activateWithLock, the
// plugin storage and GetAll's loop over the loaded plugins follow
// pkg/plugins/plugins.go; the HTTP client is an interface, and plugin
// discovery is a fixed list of names.
//
// Fix: the waitActive loop also stops when activateErr is set.
package bug

import (
	"errors"
	"sync"
)

// Manifest lists the subsystems a plugin implements.
type Manifest struct {
	Implements []string
}

// Client calls the plugin over its socket.
type Client interface {
	Call(method string, args interface{}, ret *Manifest) error
}

// Plugin is a v1 plugin found on the host.
type Plugin struct {
	name     string
	client   Client
	Manifest *Manifest

	// wait for activation to finish
	activateWait *sync.Cond
	// error produced by activation
	activateErr error
}

func newPlugin(name string, client Client) *Plugin {
	return &Plugin{name: name, client: client, activateWait: sync.NewCond(&sync.Mutex{})}
}

func (p *Plugin) activated() bool {
	return p.Manifest != nil
}

func (p *Plugin) activate() error {
	p.activateWait.L.Lock()
	if p.activated() {
		p.activateWait.L.Unlock()
		return p.activateErr
	}
	p.activateErr = p.activateWithLock()
	p.activateWait.L.Unlock()
	p.activateWait.Broadcast()
	return p.activateErr
}

func (p *Plugin) activateWithLock() error {
	m := new(Manifest)
	if err := p.client.Call("Plugin.Activate", nil, m); err != nil {
		return err
	}
	p.Manifest = m
	return nil
}

func (p *Plugin) waitActive() error {
	p.activateWait.L.Lock()
	for !p.activated() { // heldout:site
		p.activateWait.Wait() // heldout:site
	}
	p.activateWait.L.Unlock()
	return p.activateErr
}

func (p *Plugin) implements(kind string) bool {
	if p.Manifest == nil {
		return false
	}
	for _, driver := range p.Manifest.Implements {
		if driver == kind {
			return true
		}
	}
	return false
}

type plugins struct {
	sync.Mutex
	plugins map[string]*Plugin
}

var storage = plugins{plugins: make(map[string]*Plugin)}

// load stores the plugin and activates it, forgetting it if that fails.
func load(pl *Plugin) (*Plugin, error) {
	storage.Lock()
	if existing, ok := storage.plugins[pl.name]; ok {
		storage.Unlock()
		return existing, existing.activate()
	}
	storage.plugins[pl.name] = pl
	storage.Unlock()

	err := pl.activate()
	if err != nil {
		storage.Lock()
		delete(storage.plugins, pl.name)
		storage.Unlock()
	}
	return pl, err
}

// GetAll returns the loaded plugins that implement imp.
func GetAll(names []string, imp string) []*Plugin {
	var loaded []*Plugin
	storage.Lock()
	for _, name := range names {
		if pl, ok := storage.plugins[name]; ok {
			loaded = append(loaded, pl)
		}
	}
	storage.Unlock()

	var out []*Plugin
	for _, pl := range loaded {
		if err := pl.waitActive(); err == nil && pl.implements(imp) {
			out = append(out, pl)
		}
	}
	return out
}

// refusing is a plugin socket that fails the handshake.
type refusing struct{}

func (refusing) Call(string, interface{}, *Manifest) error {
	return errors.New("connection refused")
}

// ListVolumeDrivers lists the volume drivers while a broken plugin loads.
func ListVolumeDrivers() []*Plugin {
	pl := newPlugin("broken", refusing{})
	storage.Lock()
	storage.plugins[pl.name] = pl
	storage.Unlock()

	done := make(chan struct{})
	go func() {
		defer close(done)
		load(pl)
	}()
	out := GetAll([]string{"broken"}, "VolumeDriver")
	<-done
	return out
}
