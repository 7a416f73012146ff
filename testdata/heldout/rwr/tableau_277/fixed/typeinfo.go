// Package fixed is the fixed version of rwr/tableau_277: Get reads the map
// through a helper that does not lock, so a lookup takes the read lock once.
package fixed

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
	x.mu.Lock()
	defer x.mu.Unlock()
	x.infos[info.FullName] = info
}

// Get returns the info of name in the table's proto package.
func (x *TypeInfos) Get(name string) *TypeInfo {
	x.mu.RLock()
	defer x.mu.RUnlock()
	fullName := x.protoPackage + "." + name
	return x.getByFullName(fullName)
}

// GetByFullName returns the info of a type by its full name.
func (x *TypeInfos) GetByFullName(fullName string) *TypeInfo {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.getByFullName(fullName)
}

// getByFullName needs x.mu held, for reading at least.
func (x *TypeInfos) getByFullName(fullName string) *TypeInfo {
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
