package dev

import "sync"

// Upstream: minio/minio#16136
//
// A KMS client's batch decrypt read-locked the client and called the
// single decrypt method for each item, which read-locked it again; the
// certificate reloader, a goroutine the constructor starts on the new
// client, write-locks it. A reload queued between the two read locks
// blocks the nested one behind itself while it waits for the outer one.
// The writer's object is the constructor's allocation, not a parameter,
// so it is the same lock by its type and field. Fix: the batch calls the
// inner client directly under its single read lock.
type kms struct {
	lock sync.RWMutex
	key  []byte
}

func (c *kms) decrypt(b []byte) []byte {
	c.lock.RLock()
	defer c.lock.RUnlock()
	return append(b, c.key...)
}

func (c *kms) decryptAll(bs [][]byte) [][]byte {
	c.lock.RLock()
	defer c.lock.RUnlock()
	var out [][]byte
	for _, b := range bs {
		out = append(out, c.decrypt(b)) // want `c.lock is read-locked again inside c.decrypt .*while this goroutine already holds a read lock on it .*if a writer calls Lock in between`
	}
	return out
}

func newKMS(reloads <-chan []byte) *kms {
	c := &kms{}
	go func() {
		for k := range reloads {
			c.lock.Lock()
			c.key = k
			c.lock.Unlock()
		}
	}()
	return c
}

// The fix: one read lock.
type kmsOK struct {
	lock sync.RWMutex
	key  []byte
}

func (c *kmsOK) decrypt(b []byte) []byte {
	c.lock.RLock()
	defer c.lock.RUnlock()
	return append(b, c.key...)
}

func (c *kmsOK) decryptAll(bs [][]byte) [][]byte {
	c.lock.RLock()
	defer c.lock.RUnlock()
	var out [][]byte
	for _, b := range bs {
		out = append(out, append(b, c.key...))
	}
	return out
}

func newKMSOK(reloads <-chan []byte) *kmsOK {
	c := &kmsOK{}
	go func() {
		for k := range reloads {
			c.lock.Lock()
			c.key = k
			c.lock.Unlock()
		}
	}()
	return c
}

// A variant: the writer is a package-level function on a value taken from
// a package map, and the nested read lock is direct.
type cache struct {
	mu   sync.RWMutex
	data map[string]string
}

var caches = map[string]*cache{}

func refresh(name string) {
	c := caches[name]
	c.mu.Lock()
	c.data = map[string]string{}
	c.mu.Unlock()
}

func (c *cache) getTwo(a, b string) (string, string) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.data[a], c.get(b) // want `c.mu is read-locked again inside c.get`
}

func (c *cache) get(k string) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.data[k]
}

// Not reported: the nested read lock, but the only Lock of that type's
// field is on an object no other goroutine has seen yet.
type table struct {
	mu   sync.RWMutex
	rows []int
}

func newTable(n int) *table {
	t := &table{}
	t.mu.Lock()
	t.rows = make([]int, n)
	t.mu.Unlock()
	return t
}

func (t *table) row(i int) int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.rows[i]
}

func (t *table) sum() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	s := 0
	for i := range t.rows {
		s += t.row(i)
	}
	return s
}
