// Package bug is a held-out kernel (issue 14): the CONIKS key server's
// request handler, which takes the server's RWMutex for reading around a
// lookup and for writing around a registration, and after a lookup calls
// RLock again where it meant RUnlock; every lookup leaves read locks
// behind, so the next registration or epoch update waits for the write
// lock for ever, and once it waits every new lookup does too.
//
// Upstream: coniks-sys/coniks-go#94 ("Server \"deadlock\"", fixed by coniks-sys/coniks-go#95)
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: the issue: "By sending multiple lookup requests to the server it
// will block forever. Most probably this is because on lookup the RLocks
// are never released ... (last line should be server.RUnlock()
// instead)", pointing at the second switch of the handler in
// keyserver/listener.go. The handler's two switches, the per-connection
// goroutines counted by waitCloseConn, and the epoch-update goroutine
// that takes the write lock follow keyserver/; the directory and the wire
// protocol are reduced to a map and a request struct.
//
// Fix: the second switch releases what the first took: RUnlock for the
// lookups, Unlock for the rest.
package bug

import (
	"errors"
	"sync"
	"time"
)

// Request types.
const (
	RegistrationType = iota
	KeyLookupType
	KeyLookupInEpochType
	MonitoringType
)

// Request is a decoded client request.
type Request struct {
	Type     int
	Username string
	Key      string
}

// ConiksDirectory is the key directory, updated once per epoch.
type ConiksDirectory struct {
	epoch   uint64
	pending map[string]string
	keys    map[string]string
}

// Register queues a binding for the next epoch.
func (d *ConiksDirectory) Register(name, key string) error {
	if _, ok := d.keys[name]; ok {
		return errors.New("name already registered")
	}
	d.pending[name] = key
	return nil
}

// KeyLookup returns the key bound to name.
func (d *ConiksDirectory) KeyLookup(name string) (string, error) {
	key, ok := d.keys[name]
	if !ok {
		return "", errors.New("name not found")
	}
	return key, nil
}

// Update starts a new epoch.
func (d *ConiksDirectory) Update() {
	for name, key := range d.pending {
		d.keys[name] = key
	}
	d.pending = map[string]string{}
	d.epoch++
}

func handleOps(d *ConiksDirectory, req *Request) (string, error) {
	switch req.Type {
	case RegistrationType:
		return "", d.Register(req.Username, req.Key)
	case KeyLookupType, KeyLookupInEpochType, MonitoringType:
		return d.KeyLookup(req.Username)
	}
	return "", errors.New("malformed client message")
}

// ConiksServer serves the directory.
type ConiksServer struct {
	sync.RWMutex
	dir           *ConiksDirectory
	epochDeadline time.Duration
	stop          chan struct{}
	waitStop      sync.WaitGroup
	waitCloseConn sync.WaitGroup
}

func (server *ConiksServer) handle(req *Request) (string, error) {
	switch req.Type {
	case KeyLookupType, KeyLookupInEpochType, MonitoringType:
		server.RLock() // heldout:site
	default:
		server.Lock() // heldout:site
	}
	res, err := handleOps(server.dir, req)
	switch req.Type {
	case KeyLookupType, KeyLookupInEpochType, MonitoringType:
		server.RLock() // heldout:site
	default:
		server.Unlock()
	}
	return res, err
}

func (server *ConiksServer) epochUpdate() {
	defer server.waitStop.Done()
	timer := time.NewTimer(server.epochDeadline)
	defer timer.Stop()
	for {
		select {
		case <-server.stop:
			return
		case <-timer.C:
			server.Lock() // heldout:site
			server.dir.Update()
			server.Unlock()
			timer.Reset(server.epochDeadline)
		}
	}
}

// Run starts the epoch updates.
func (server *ConiksServer) Run() {
	server.waitStop.Add(1)
	go server.epochUpdate()
}

// Shutdown waits for the open connections and stops the epoch updates.
func (server *ConiksServer) Shutdown() {
	server.waitCloseConn.Wait() // heldout:site
	close(server.stop)
	server.waitStop.Wait()
}

// acceptClient handles one connection's request.
func (server *ConiksServer) acceptClient(req *Request) {
	server.waitCloseConn.Add(1)
	go func() {
		defer server.waitCloseConn.Done()
		server.handle(req)
	}()
}

// Serve answers lookups and a registration.
func Serve() {
	server := &ConiksServer{
		dir:           &ConiksDirectory{pending: map[string]string{}, keys: map[string]string{"alice": "pk-a"}},
		epochDeadline: 10 * time.Millisecond,
		stop:          make(chan struct{}),
	}
	server.Run()
	server.acceptClient(&Request{Type: KeyLookupType, Username: "alice"})
	server.acceptClient(&Request{Type: KeyLookupType, Username: "alice"})
	server.acceptClient(&Request{Type: RegistrationType, Username: "bob", Key: "pk-b"})
	server.acceptClient(&Request{Type: KeyLookupType, Username: "alice"})
	server.Shutdown()
}
