// Package fixed is the fixed version of cond/moby_30408: waitActive stops
// waiting once activation has failed.
package fixed

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
	for !p.activated() && p.activateErr == nil {
		p.activateWait.Wait()
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
