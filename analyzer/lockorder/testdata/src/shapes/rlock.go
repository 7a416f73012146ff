package shapes

import (
	"sync"
	"time"
)

// Upstream: syncthing/syncthing#9910 (fixes syncthing/syncthing#9906)
//
// A record's Marshal was called with its read lock held and, to encode
// the creation time, called the exported Created accessor, which takes
// the same read lock. Recursive read locking works until a writer calls
// Lock between the two RLocks: the writer waits for the first reader and
// the second RLock waits behind the writer, forever. Fix: Marshal, always
// called under the read lock, reads the field directly.
type stRecord struct {
	mut     sync.RWMutex
	name    string
	created time.Time
}

func (r *stRecord) Created() time.Time {
	r.mut.RLock()
	defer r.mut.RUnlock()
	return r.created
}

func (r *stRecord) marshal() []byte {
	return append([]byte(r.name), r.Created().String()...)
}

func (r *stRecord) Save(put func([]byte)) {
	r.mut.RLock()
	defer r.mut.RUnlock()
	put(r.marshal()) // want `r.mut is read-locked again inside r.marshal`
}

func (r *stRecord) Rename(name string) {
	r.mut.Lock()
	r.name = name
	r.mut.Unlock()
}

// The fix.
type stRecordFixed struct {
	mut     sync.RWMutex
	name    string
	created time.Time
}

func (r *stRecordFixed) Created() time.Time {
	r.mut.RLock()
	defer r.mut.RUnlock()
	return r.created
}

func (r *stRecordFixed) marshal() []byte {
	return append([]byte(r.name), r.created.String()...)
}

func (r *stRecordFixed) Save(put func([]byte)) {
	r.mut.RLock()
	defer r.mut.RUnlock()
	put(r.marshal())
}

func (r *stRecordFixed) Rename(name string) {
	r.mut.Lock()
	r.name = name
	r.mut.Unlock()
}

// Upstream: heimdalr/dag#40
//
// OrderedWalk read-locks the DAG and, for every vertex, asks GetParents,
// which read-locks it again; an AddVertex from another goroutine between
// the two waits for the walk and blocks the nested RLock. The walk's
// visitor is an interface; here its one implementation also asks the DAG.
type dagVisitor interface {
	Visit(id string)
}

type dagDAG struct {
	muDAG    sync.RWMutex
	vertices []string
	parents  map[string][]string
}

func (d *dagDAG) GetParents(id string) []string {
	d.muDAG.RLock()
	defer d.muDAG.RUnlock()
	return d.parents[id]
}

func (d *dagDAG) AddVertex(id string) {
	d.muDAG.Lock()
	defer d.muDAG.Unlock()
	d.vertices = append(d.vertices, id)
}

func (d *dagDAG) OrderedWalk(v dagVisitor) {
	d.muDAG.RLock()
	defer d.muDAG.RUnlock()
	for _, id := range d.vertices {
		if len(d.GetParents(id)) == 0 { // want `d.muDAG is read-locked again inside d.GetParents`
			v.Visit(id)
		}
	}
}

// The fix reads the parents map directly under the walk's lock.
func (d *dagDAG) OrderedWalkFixed(v dagVisitor) {
	d.muDAG.RLock()
	defer d.muDAG.RUnlock()
	for _, id := range d.vertices {
		if len(d.parents[id]) == 0 {
			v.Visit(id)
		}
	}
}

type dagPrinter struct{ out []string }

func (p *dagPrinter) Visit(id string) { p.out = append(p.out, id) }
