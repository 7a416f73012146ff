// Package bug is a held-out kernel (issue 14): a progressive collapse
// forwarder counts its attached clients in a WaitGroup kept in a struct
// field; a client that fails returns before its Done, so the origin fetch
// waiting for all clients blocks for ever.
//
// Upstream: trickstercache/trickster#356 ("Patch waitgroup leak on multiple return")
// Round: 17
// Seen: 2026-11-29, development set (written in session 24 by helper mixwg to tune the analyzers; not a blind measure)
//
// Bug: NewPCF builds the forwarder with clientWaitgroup: &wg. AddClient
// calls clientWaitgroup.Add(1), copies every block the origin has written
// to its client's writer, and calls clientWaitgroup.Done() after the loop;
// when IndexRead returns an error other than io.EOF (a read index past the
// reference table), AddClient returns that error and Done is never called.
// The fetch that owns the forwarder calls WaitAllComplete
// (clientWaitgroup.Wait) before it drops the forwarder from the collapse
// map, and waits for ever. The PR: "The return on line 121 would cause the
// waitgroup to never finish. Use defer instead."
//
// Fix: AddClient defers clientWaitgroup.Done() right after the Add.
//
// The proxy engine around the forwarder (fetchObject, the collapse map) is
// our reduction of upstream's object proxy cache. Upstream's reader wait in
// IndexRead calls readCond.Wait without re-checking the index under the
// lock; that separate race is not what the PR fixed, and the kernel writes
// the wait with its predicate under the lock in both versions.
package bug

import (
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
)

// HTTPBlockSize is the size of one block handed to clients.
const HTTPBlockSize = 32 * 1024

// ErrReadIndexTooLarge is returned for a read index past the reference table.
var ErrReadIndexTooLarge = errors.New("read index too large")

// ProgressiveCollapseForwarder lets many clients read one origin response
// while it is still being written.
type ProgressiveCollapseForwarder interface {
	AddClient(io.Writer) error
	Write([]byte) (int, error)
	Close()
	IndexRead(uint64, []byte) (int, error)
	WaitAllComplete()
	GetBody() ([]byte, error)
	GetResp() *http.Response
}

type progressiveCollapseForwarder struct {
	resp            *http.Response
	rIndex          uint64
	dataIndex       uint64
	data            [][]byte
	dataLen         uint64
	dataStore       []byte
	dataStoreLen    uint64
	readCond        *sync.Cond
	serverReadDone  int32
	clientWaitgroup *sync.WaitGroup
}

// NewPCF returns a forwarder for a response of contentLength bytes.
func NewPCF(resp *http.Response, contentLength int64) ProgressiveCollapseForwarder {
	refs := make([][]byte, ((contentLength/HTTPBlockSize)*2)+1)
	var wg sync.WaitGroup
	return &progressiveCollapseForwarder{
		resp:            resp,
		data:            refs,
		dataLen:         uint64(len(refs)),
		dataStore:       make([]byte, contentLength),
		dataStoreLen:    uint64(contentLength),
		readCond:        sync.NewCond(&sync.Mutex{}),
		clientWaitgroup: &wg,
	}
}

// AddClient streams the response to w, from the first block to the live edge.
func (pfc *progressiveCollapseForwarder) AddClient(w io.Writer) error {
	pfc.clientWaitgroup.Add(1)
	var readIndex uint64
	buf := make([]byte, HTTPBlockSize)
	for {
		n, err := pfc.IndexRead(readIndex, buf)
		if n > 0 {
			w.Write(buf[:n])
			readIndex++
		}
		if err != nil {
			if err != io.EOF {
				return err // heldout:site
			}
			break
		}
	}
	pfc.clientWaitgroup.Done()
	return io.EOF
}

// WaitAllComplete blocks until every client has finished.
func (pfc *progressiveCollapseForwarder) WaitAllComplete() {
	pfc.clientWaitgroup.Wait() // heldout:site
}

// GetBody returns the whole body once the origin is done.
func (pfc *progressiveCollapseForwarder) GetBody() ([]byte, error) {
	if atomic.LoadInt32(&pfc.serverReadDone) == 0 {
		return nil, errors.New("server request not completed")
	}
	return pfc.dataStore[:pfc.dataIndex], nil
}

// GetResp returns the origin response.
func (pfc *progressiveCollapseForwarder) GetResp() *http.Response {
	return pfc.resp
}

// Write stores b as the next block and wakes the readers.
func (pfc *progressiveCollapseForwarder) Write(b []byte) (int, error) {
	n := atomic.LoadUint64(&pfc.rIndex)
	l := uint64(len(b))
	if pfc.dataIndex+l > pfc.dataStoreLen || n >= pfc.dataLen {
		return 0, io.ErrShortWrite
	}
	pfc.data[n] = pfc.dataStore[pfc.dataIndex : pfc.dataIndex+l]
	copy(pfc.data[n], b)
	pfc.dataIndex += l
	pfc.readCond.L.Lock()
	atomic.AddUint64(&pfc.rIndex, 1)
	pfc.readCond.Broadcast()
	pfc.readCond.L.Unlock()
	return len(b), nil
}

// Close marks the origin response complete.
func (pfc *progressiveCollapseForwarder) Close() {
	pfc.readCond.L.Lock()
	atomic.AddInt32(&pfc.serverReadDone, 1)
	pfc.readCond.Broadcast()
	pfc.readCond.L.Unlock()
}

// IndexRead copies block index into b, waiting for it if it is not written yet.
func (pfc *progressiveCollapseForwarder) IndexRead(index uint64, b []byte) (int, error) {
	if index > pfc.dataLen {
		return 0, ErrReadIndexTooLarge
	}
	pfc.readCond.L.Lock()
	for index >= atomic.LoadUint64(&pfc.rIndex) {
		if atomic.LoadInt32(&pfc.serverReadDone) != 0 {
			pfc.readCond.L.Unlock()
			return 0, io.EOF
		}
		pfc.readCond.Wait()
	}
	pfc.readCond.L.Unlock()
	if index >= pfc.dataLen {
		return 0, ErrReadIndexTooLarge
	}
	copy(b, pfc.data[index])
	return len(pfc.data[index]), nil
}

// Origin fetches an upstream object.
type Origin interface {
	Fetch(key string) (*http.Response, int64, io.Reader, error)
}

// Engine collapses concurrent requests for one key onto one origin fetch.
type Engine struct {
	origin   Origin
	mu       sync.Mutex
	inflight map[string]ProgressiveCollapseForwarder
	cache    map[string][]byte
}

// NewEngine returns an engine over origin.
func NewEngine(origin Origin) *Engine {
	return &Engine{
		origin:   origin,
		inflight: map[string]ProgressiveCollapseForwarder{},
		cache:    map[string][]byte{},
	}
}

// Serve writes the object for key to w, joining a fetch already in flight.
func (e *Engine) Serve(key string, w io.Writer) error {
	e.mu.Lock()
	if pcf, ok := e.inflight[key]; ok {
		e.mu.Unlock()
		return pcf.AddClient(w)
	}
	e.mu.Unlock()
	resp, length, body, err := e.origin.Fetch(key)
	if err != nil {
		return err
	}
	pcf := NewPCF(resp, length)
	e.mu.Lock()
	e.inflight[key] = pcf
	e.mu.Unlock()

	go e.fetchObject(key, pcf, body)
	return pcf.AddClient(w)
}

// fetchObject copies the origin body into the forwarder, caches it, and
// retires the forwarder once every client is done with it.
func (e *Engine) fetchObject(key string, pcf ProgressiveCollapseForwarder, body io.Reader) {
	buf := make([]byte, HTTPBlockSize)
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := pcf.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	pcf.Close()
	if b, err := pcf.GetBody(); err == nil {
		e.mu.Lock()
		e.cache[key] = b
		e.mu.Unlock()
	}
	pcf.WaitAllComplete()
	e.mu.Lock()
	delete(e.inflight, key)
	e.mu.Unlock()
}
