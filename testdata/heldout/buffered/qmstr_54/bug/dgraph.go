// Package bug is a held-out kernel (issue 14): an insert routine that
// re-queues a node that is not ready yet into its own full input channel.
//
// Upstream: QMSTR/qmstr#54 ("Fix deadlock if queue filled up to the maximum.")
// Round: 3
// Seen: 3cec7e7 (the lead read the report on its fixed version and made chanblock leave a worker ranging over a field of a type nothing can stop alone)
//
// Bug: the master server inserts build-graph nodes into the database from
// a single goroutine reading a buffered insert queue. A node whose
// dependencies are not in the database yet is put back into the same
// queue to be retried later. When many nodes are submitted quickly the
// queue is full: the put-back send blocks, and the goroutine blocked on it
// is the queue's only reader, so the insert routine and every submitter
// stop. The PR text gives this; the node type and the readiness check
// are our reduction.
//
// Fix: the thread does not show the upstream change; our fixed version
// keeps nodes that are not ready in a local list, retried after each
// insert, instead of sending them back into the full queue.
package bug

import "sync"

// FileNode is a node of the build graph.
type FileNode struct {
	Path      string
	Hash      string
	DependsOn []string // paths of the nodes it links to
}

// DataService stores the build graph.
type DataService struct {
	insertQueue chan *FileNode

	mu       sync.Mutex
	inserted map[string]bool
	store    func(n *FileNode) error
}

// NewDataService starts the insert routine.
func NewDataService(bufferSize int, store func(*FileNode) error) *DataService {
	ds := &DataService{
		insertQueue: make(chan *FileNode, bufferSize),
		inserted:    make(map[string]bool),
		store:       store,
	}
	go ds.insertRoutine()
	return ds
}

// AddFileNode queues a node for insertion.
func (ds *DataService) AddFileNode(n *FileNode) {
	ds.insertQueue <- n // heldout:site
}

func (ds *DataService) ready(n *FileNode) bool {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	for _, dep := range n.DependsOn {
		if !ds.inserted[dep] {
			return false
		}
	}
	return true
}

func (ds *DataService) insertRoutine() {
	for n := range ds.insertQueue {
		if !ds.ready(n) {
			// not yet: try again later
			ds.insertQueue <- n // heldout:site
			continue
		}
		if err := ds.store(n); err != nil {
			continue
		}
		ds.mu.Lock()
		ds.inserted[n.Path] = true
		ds.mu.Unlock()
	}
}
