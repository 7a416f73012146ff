// Package bug is a held-out kernel (issue 14): lock-order inversion in the
// bridge network driver between its configNetwork mutex and its own
// mutex. configure holds configNetwork while it restores the networks
// from the store, and restoring a port mapping asks for the userland
// proxy path under the driver mutex; a firewalld reload arriving at that
// moment runs handleFirewalldReloadNw, which takes the driver mutex first
// and then configNetwork.
//
// Upstream: moby/moby#50619 ("Hang when starting docker")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: from the maintainer's reading of the reporter's goroutine dump:
// goroutine 1 is in configure, holding configNetwork during initStore,
// and blocks in userlandProxyPath on the driver lock; goroutine 119 is in
// handleFirewalldReloadNw, which takes the two in the other order. The
// order in handleFirewalldReloadNw (driver lock, then configNetwork) is
// our reading of that dump; the store, the port mapper and the
// firewaller are reduced to what the two paths touch, and the firewalld
// D-Bus watcher to a goroutine that runs the reload callbacks.
//
// Fix: handleFirewalldReloadNw takes configNetwork first and the driver
// lock second, the order configure uses; the driver's mutex carries the
// rule "do not hold this lock while locking configNetwork".
package bug

import "sync"

// Configuration is the bridge driver's configuration.
type Configuration struct {
	EnableIPTables bool
	EnableProxy    bool
	ProxyPath      string
}

type portBinding struct {
	HostPort  uint16
	ProxyPath string
}

type bridgeEndpoint struct {
	id          string
	portMapping []portBinding
}

type bridgeNetwork struct {
	id        string
	endpoints map[string]*bridgeEndpoint
	rules     int
	sync.Mutex
}

// store is the driver's persisted state.
type store struct {
	networks []string
	ports    map[string][]uint16
}

// firewalld stands for the D-Bus watcher that calls back on a reload.
type firewalld struct {
	mu        sync.Mutex
	callbacks []func()
}

// OnReloaded registers f to run after every firewalld reload.
func (fw *firewalld) OnReloaded(f func()) {
	fw.mu.Lock()
	fw.callbacks = append(fw.callbacks, f)
	fw.mu.Unlock()
}

// reloaded runs the callbacks; the watcher goroutine calls it on the
// Reloaded signal.
func (fw *firewalld) reloaded() {
	fw.mu.Lock()
	cbs := append([]func(){}, fw.callbacks...)
	fw.mu.Unlock()
	for _, f := range cbs {
		f()
	}
}

type driver struct {
	config        Configuration
	networks      map[string]*bridgeNetwork
	store         *store
	fw            *firewalld
	configNetwork sync.Mutex
	sync.Mutex
}

func (d *driver) configure(config Configuration) error {
	d.Lock()
	d.config = config
	d.Unlock()

	// Take the config lock so that reload events are not processed until
	// the initial load from the store is complete.
	d.configNetwork.Lock()
	defer d.configNetwork.Unlock()
	d.fw.OnReloaded(d.handleFirewalldReload)
	return d.initStore()
}

func (d *driver) initStore() error {
	for _, nid := range d.store.networks {
		d.populateNetwork(nid)
	}
	return nil
}

func (d *driver) populateNetwork(nid string) {
	nw := &bridgeNetwork{id: nid, endpoints: map[string]*bridgeEndpoint{}}
	d.Lock()
	d.networks[nid] = nw
	d.Unlock()
	for _, port := range d.store.ports[nid] {
		ep := &bridgeEndpoint{id: nid + "-ep"}
		ep.portMapping = append(ep.portMapping, d.restorePortBinding(port))
		nw.Lock()
		nw.endpoints[ep.id] = ep
		nw.Unlock()
	}
}

func (d *driver) restorePortBinding(port uint16) portBinding {
	return portBinding{HostPort: port, ProxyPath: d.userlandProxyPath()} // heldout:site
}

func (d *driver) userlandProxyPath() string {
	d.Lock() // heldout:site
	defer d.Unlock()
	if d.config.EnableProxy {
		return d.config.ProxyPath
	}
	return ""
}

func (d *driver) handleFirewalldReload() {
	if !d.config.EnableIPTables {
		return
	}
	d.Lock()
	nids := make([]string, 0, len(d.networks))
	for _, nw := range d.networks {
		nids = append(nids, nw.id)
	}
	d.Unlock()

	for _, nid := range nids {
		d.handleFirewalldReloadNw(nid)
	}
}

func (d *driver) handleFirewalldReloadNw(nid string) {
	d.Lock()
	defer d.Unlock()

	// Make sure the network isn't being deleted, and port mappings are
	// not being changed, while restoring the rules.
	d.configNetwork.Lock() // heldout:site
	defer d.configNetwork.Unlock()

	nw, ok := d.networks[nid]
	if !ok {
		return
	}
	nw.Lock()
	nw.rules++
	nw.Unlock()
}

// Start configures a driver whose store holds a network with a published
// port while firewalld reloads.
func Start() error {
	fw := &firewalld{}
	d := &driver{
		networks: map[string]*bridgeNetwork{"default": {id: "default", endpoints: map[string]*bridgeEndpoint{}}},
		store:    &store{networks: []string{"n1"}, ports: map[string][]uint16{"n1": {8080}}},
		fw:       fw,
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fw.reloaded()
	}()
	err := d.configure(Configuration{EnableIPTables: true, EnableProxy: true, ProxyPath: "/usr/bin/docker-proxy"})
	<-done
	return err
}
