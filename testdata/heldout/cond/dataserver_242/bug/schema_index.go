// Package bug is a held-out kernel (issue 14): a schema index whose
// Retrieve checks an entry's ready flag without its lock and then waits
// on the entry's Cond, missing a Broadcast that came in between.
//
// Upstream: sdcio/data-server#242 ("Bug: SchemaIndex.Retrieve() deadlock")
// Round: 4
// Seen: 2026-11-27, development set (helpers read this round-4 kernel to tune the analyzers, after round 4 was measured; round 5 stays held out)
//
// Bug: Load registers an entry and parses the schema in a goroutine that,
// when done, marks the entry ready and calls Broadcast. Retrieve reads
// the ready flag outside the Cond's lock and, if it is false, locks and
// calls Wait once. When the loader's Broadcast falls between the check
// and the Wait, nobody wakes the waiter again: Retrieve blocks forever.
// The PR states the lost Broadcast; the entry type and the loader are our
// reduction.
//
// Fix: the PR removed the Cond construct. The fixed version here closes a
// done channel when loading finishes and Retrieve receives from it (our
// reading of "getting rid of this overly complicated construct").
package bug

import (
	"fmt"
	"sync"
)

// SchemaKey names a schema version.
type SchemaKey struct {
	Name    string
	Vendor  string
	Version string
}

// Schema is a parsed schema.
type Schema struct {
	Key     SchemaKey
	Modules []string
}

type schemaIndexEntry struct {
	cond   *sync.Cond
	ready  bool
	schema *Schema
	err    error
}

func newSchemaIndexEntry() *schemaIndexEntry {
	return &schemaIndexEntry{cond: sync.NewCond(&sync.Mutex{})}
}

// SchemaIndex holds the schemas loaded so far.
type SchemaIndex struct {
	mu    sync.RWMutex
	index map[SchemaKey]*schemaIndexEntry
	parse func(SchemaKey) (*Schema, error)
}

// NewSchemaIndex returns an empty index using parse to load schemas.
func NewSchemaIndex(parse func(SchemaKey) (*Schema, error)) *SchemaIndex {
	return &SchemaIndex{index: make(map[SchemaKey]*schemaIndexEntry), parse: parse}
}

// Load starts loading the schema in the background.
func (si *SchemaIndex) Load(key SchemaKey) {
	entry := newSchemaIndexEntry()
	si.mu.Lock()
	si.index[key] = entry
	si.mu.Unlock()

	go func() {
		schema, err := si.parse(key)
		entry.cond.L.Lock()
		entry.schema, entry.err, entry.ready = schema, err, true
		entry.cond.L.Unlock()
		entry.cond.Broadcast() // heldout:site
	}()
}

// Retrieve returns the schema, waiting for it to finish loading.
func (si *SchemaIndex) Retrieve(key SchemaKey) (*Schema, error) {
	si.mu.RLock()
	entry, ok := si.index[key]
	si.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("schema %v not loaded", key)
	}
	if !entry.ready {
		entry.cond.L.Lock()
		entry.cond.Wait() // heldout:site
		entry.cond.L.Unlock()
	}
	return entry.schema, entry.err
}
