// Package fixed is the fixed version of buffered/qmstr_54: nodes that are
// not ready wait in a local list instead of going back into the queue.
package fixed

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
	ds.insertQueue <- n
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
	var pending []*FileNode
	for n := range ds.insertQueue {
		if !ds.ready(n) {
			// not yet: try again after the next insert
			pending = append(pending, n)
			continue
		}
		if !ds.insert(n) {
			continue
		}
		// retry the parked nodes until none becomes ready
		for progress := true; progress; {
			progress = false
			rest := pending[:0]
			for _, p := range pending {
				if ds.ready(p) && ds.insert(p) {
					progress = true
					continue
				}
				rest = append(rest, p)
			}
			pending = rest
		}
	}
}

func (ds *DataService) insert(n *FileNode) bool {
	if err := ds.store(n); err != nil {
		return false
	}
	ds.mu.Lock()
	ds.inserted[n.Path] = true
	ds.mu.Unlock()
	return true
}
