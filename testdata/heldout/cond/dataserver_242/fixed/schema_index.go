// Package fixed is the fixed version of cond/dataserver_242: loading closes
// a done channel that Retrieve receives from.
package fixed

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
	done   chan struct{}
	schema *Schema
	err    error
}

func newSchemaIndexEntry() *schemaIndexEntry {
	return &schemaIndexEntry{done: make(chan struct{})}
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
		entry.schema, entry.err = si.parse(key)
		close(entry.done)
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
	<-entry.done
	return entry.schema, entry.err
}
