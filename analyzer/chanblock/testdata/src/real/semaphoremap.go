package real

import (
	"errors"
	"sync"
)

// Session 25 (bufvar): a channel semaphore per key, kept as an element of
// a map field and looked up with the get-or-create idiom. Fetch takes the
// key's slot and returns on an empty key without giving it back: after
// two such calls for one key, every Fetch of that key blocks forever on
// its acquire. Fix: the release is deferred right after the acquire.
type semMapFetcher struct {
	mu    sync.Mutex
	slots map[string]chan struct{}
	get   func(string) ([]byte, error)
}

func (f *semMapFetcher) Fetch(key string) ([]byte, error) {
	f.mu.Lock()
	sem, ok := f.slots[key]
	if !ok {
		sem = make(chan struct{}, 2)
		f.slots[key] = sem
	}
	f.mu.Unlock()
	sem <- struct{}{} // want `the token this send takes from an element of map field slots of semMapFetcher \(a semaphore of 2\) is not given back on the path to the return at line \d+`
	if key == "" {
		return nil, errors.New("empty key")
	}
	b, err := f.get(key)
	<-sem
	return b, err
}

// The fix: the release is deferred.
type semMapFetcherFixed struct {
	mu    sync.Mutex
	slots map[string]chan struct{}
	get   func(string) ([]byte, error)
}

func (f *semMapFetcherFixed) Fetch(key string) ([]byte, error) {
	f.mu.Lock()
	sem, ok := f.slots[key]
	if !ok {
		sem = make(chan struct{}, 2)
		f.slots[key] = sem
	}
	f.mu.Unlock()
	sem <- struct{}{}
	defer func() { <-sem }()
	if key == "" {
		return nil, errors.New("empty key")
	}
	return f.get(key)
}

// Look-alike: the map's channels carry values (a per-key mailbox whose
// receiver uses what it takes), not tokens; silent.
type semMapMailbox struct {
	mu    sync.Mutex
	boxes map[string]chan []byte
}

func (m *semMapMailbox) Post(key string, msg []byte) error {
	m.mu.Lock()
	box, ok := m.boxes[key]
	if !ok {
		box = make(chan []byte, 2)
		m.boxes[key] = box
	}
	m.mu.Unlock()
	box <- msg
	if len(msg) == 0 {
		return errors.New("empty message")
	}
	return nil
}

func (m *semMapMailbox) Take(key string) []byte {
	m.mu.Lock()
	box := m.boxes[key]
	m.mu.Unlock()
	return <-box
}
