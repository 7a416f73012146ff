// Package bug is a held-out kernel (issue 14): tableau's protogen keeps the
// type infos of a proto package in a TypeInfos map guarded by an RWMutex.
// Get takes the read lock, prepends the package to the name and calls the
// exported GetByFullName, which takes the read lock again. When a Put
// (remembering a newly generated predefined type) asks for the write lock
// between the two RLocks, the Put waits for Get's first read lock and
// GetByFullName's RLock waits behind the Put: both block forever.
//
// Upstream: tableauio/tableau#277 ("fix(TypeInfos): potential deadlock problem for recursive read locking", closes tableauio/tableau#276)
// Round: 16
//
// Bug: TypeInfos, Put, Get and GetByFullName follow internal/xproto's
// type-info table; the thread we read names the recursive read locking in
// TypeInfos but not the lines, and the copy of the file we could read is
// from before the lock was added, so the lock's placement (Put writes, Get
// and GetByFullName each read) is our reduction. The generator that parses
// sheets in parallel, some workers looking types up while another
// remembers a new one, stands for the callers.
//
// Fix: our reading of the PR: Get resolves the full name and reads the
// map through an unexported helper that does not lock, so one call takes
// the read lock once.
package bug

import (
	"sync"
)

// Kind is the kind of a proto type.
type Kind int

// Kinds of proto types.
const (
	MessageKind Kind = iota
	EnumKind
)

// TypeInfo describes one message or enum type.
type TypeInfo struct {
	FullName       string
	ParentFilename string
	Kind           Kind
}

// TypeInfos maps full type names of one proto package to their infos.
type TypeInfos struct {
	mu           sync.RWMutex
	protoPackage string
	infos        map[string]*TypeInfo
}

// NewTypeInfos returns an empty table for protoPackage.
func NewTypeInfos(protoPackage string) *TypeInfos {
	return &TypeInfos{protoPackage: protoPackage, infos: map[string]*TypeInfo{}}
}

// Put remembers a newly generated type.
func (x *TypeInfos) Put(info *TypeInfo) {
	x.mu.Lock() // heldout:site
	defer x.mu.Unlock()
	x.infos[info.FullName] = info
}

// Get returns the info of name in the table's proto package.
func (x *TypeInfos) Get(name string) *TypeInfo {
	x.mu.RLock() // heldout:site
	defer x.mu.RUnlock()
	fullName := x.protoPackage + "." + name
	return x.GetByFullName(fullName)
}

// GetByFullName returns the info of a type by its full name.
func (x *TypeInfos) GetByFullName(fullName string) *TypeInfo {
	x.mu.RLock() // heldout:site
	defer x.mu.RUnlock()
	return x.infos[fullName]
}

// Generate parses sheets in parallel: each looks up the types its columns
// use, while the first one also remembers a predefined type it generated.
func Generate(typeInfos *TypeInfos, sheets [][]string) []*TypeInfo {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		found []*TypeInfo
	)
	for i, columns := range sheets {
		wg.Add(1)
		go func(i int, columns []string) {
			defer wg.Done()
			if i == 0 {
				typeInfos.Put(&TypeInfo{FullName: typeInfos.protoPackage + ".Item", Kind: MessageKind})
			}
			for _, col := range columns {
				if info := typeInfos.Get(col); info != nil {
					mu.Lock()
					found = append(found, info)
					mu.Unlock()
				}
			}
		}(i, columns)
	}
	wg.Wait()
	return found
}
