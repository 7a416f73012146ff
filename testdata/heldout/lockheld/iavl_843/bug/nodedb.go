// Package bug is a held-out kernel (issue 14): an IAVL tree's node
// database refuses to delete versions that still have readers, but the
// check returns its error while holding the node database's mutex; the
// next Commit, reader registration or version lookup waits on the mutex
// for ever.
//
// Upstream: cosmos/iavl#843 ("fix(nodedb): prevent deadlock by releasing DeleteVersionsFrom mutex on error", issue cosmos/iavl#842)
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: the issue quotes nodedb.go: DeleteVersionsFrom does
// `ndb.mtx.Lock()`, loops over ndb.versionReaders and, for a version at
// or above fromVersion with readers, `return fmt.Errorf("unable to delete
// version %v with %v active readers", v, r)`; the `ndb.mtx.Unlock()`
// after the loop is never reached ("in case the erroring condition
// matches, it'll be locked forever"). The database, batch and node
// encoding are reduced to a map; the MutableTree methods that reach
// DeleteVersionsFrom (LoadVersionForOverwriting) and register readers
// (GetImmutable and the immutable tree's Close) are kept in small form.
//
// Fix: unlock before returning the error.
package bug

import (
	"fmt"
	"sync"
)

type nodeDB struct {
	mtx            sync.Mutex
	db             map[string][]byte
	batch          map[string][]byte
	versionReaders map[int64]uint32
	firstVersion   int64
	latestVersion  int64
}

func newNodeDB() *nodeDB {
	return &nodeDB{
		db:             map[string][]byte{},
		batch:          map[string][]byte{},
		versionReaders: map[int64]uint32{},
	}
}

func nodeKey(version int64, nonce int32) string {
	return fmt.Sprintf("s%016x%08x", version, nonce)
}

func (ndb *nodeDB) getLatestVersion() (int64, error) {
	ndb.mtx.Lock() // heldout:site
	defer ndb.mtx.Unlock()
	return ndb.latestVersion, nil
}

func (ndb *nodeDB) resetLatestVersion(version int64) {
	ndb.mtx.Lock()
	defer ndb.mtx.Unlock()
	ndb.latestVersion = version
}

// SaveNode stages a node of version.
func (ndb *nodeDB) SaveNode(version int64, nonce int32, value []byte) {
	ndb.mtx.Lock()
	defer ndb.mtx.Unlock()
	ndb.batch[nodeKey(version, nonce)] = value
	if version > ndb.latestVersion {
		ndb.latestVersion = version
	}
}

// DeleteVersionsFrom permanently deletes all versions from fromVersion up.
func (ndb *nodeDB) DeleteVersionsFrom(fromVersion int64) error {
	latest, err := ndb.getLatestVersion()
	if err != nil {
		return err
	}
	if latest < fromVersion {
		return nil
	}

	ndb.mtx.Lock()
	for v, r := range ndb.versionReaders {
		if v >= fromVersion && r != 0 {
			return fmt.Errorf("unable to delete version %v with %v active readers", v, r) // heldout:site
		}
	}
	ndb.mtx.Unlock()

	for v := fromVersion; v <= latest; v++ {
		for k := range ndb.db {
			if k[:17] == nodeKey(v, 0)[:17] {
				ndb.batch[k] = nil
			}
		}
	}
	ndb.resetLatestVersion(fromVersion - 1)
	return nil
}

// Commit writes the staged batch.
func (ndb *nodeDB) Commit() error {
	ndb.mtx.Lock() // heldout:site
	defer ndb.mtx.Unlock()
	for k, v := range ndb.batch {
		if v == nil {
			delete(ndb.db, k)
		} else {
			ndb.db[k] = v
		}
	}
	ndb.batch = map[string][]byte{}
	return nil
}

func (ndb *nodeDB) incrVersionReaders(version int64) {
	ndb.mtx.Lock() // heldout:site
	defer ndb.mtx.Unlock()
	ndb.versionReaders[version]++
}

func (ndb *nodeDB) decrVersionReaders(version int64) {
	ndb.mtx.Lock() // heldout:site
	defer ndb.mtx.Unlock()
	if ndb.versionReaders[version] > 0 {
		ndb.versionReaders[version]--
	}
}

// ImmutableTree is a read-only view of one version.
type ImmutableTree struct {
	ndb     *nodeDB
	version int64
}

// Close releases the view's hold on its version.
func (t *ImmutableTree) Close() {
	t.ndb.decrVersionReaders(t.version)
}

// MutableTree is the working tree.
type MutableTree struct {
	ndb *nodeDB
}

// GetImmutable returns a view of version; Close it when done.
func (tree *MutableTree) GetImmutable(version int64) *ImmutableTree {
	tree.ndb.incrVersionReaders(version)
	return &ImmutableTree{ndb: tree.ndb, version: version}
}

// LoadVersionForOverwriting drops every version after targetVersion.
func (tree *MutableTree) LoadVersionForOverwriting(targetVersion int64) error {
	if err := tree.ndb.DeleteVersionsFrom(targetVersion + 1); err != nil {
		return err
	}
	return tree.ndb.Commit()
}

// SaveVersion stages and commits a node of a new version.
func (tree *MutableTree) SaveVersion(value []byte) (int64, error) {
	latest, err := tree.ndb.getLatestVersion()
	if err != nil {
		return 0, err
	}
	tree.ndb.SaveNode(latest+1, 1, value)
	return latest + 1, tree.ndb.Commit()
}
