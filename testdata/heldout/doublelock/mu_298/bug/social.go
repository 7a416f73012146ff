// Package bug is a held-out kernel (issue 14): a social feed whose
// internal getThread, called with the package mutex held, goes through
// the exported GetThread, which read-locks the mutex again.
//
// Upstream: micro/mu#298 ("fix: deadlock in social — getThread was acquiring nested RLock")
// Round: 4
//
// Bug: getThread calls GetThread, which takes mutex.RLock. Its callers
// already hold the mutex: AddReply holds the write lock, so its nested
// RLock can never be granted, and renderThread holds a read lock, so its
// nested RLock blocks as soon as a writer (AddReply, PostThread) queues
// between the two. Either way the whole package wedges. The PR gives the
// call chain; the thread and reply types, and which callers hold which
// lock, are our reduction.
//
// Fix: getThread calls getThreadLocked, the lookup without locking, which
// GetThread also uses under its own RLock.
package bug

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// ErrNotFound is returned for an unknown thread.
var ErrNotFound = errors.New("thread not found")

// Reply is one reply in a thread.
type Reply struct {
	Author  string
	Content string
	Created time.Time
}

// Thread is a post and its replies.
type Thread struct {
	ID      string
	Author  string
	Title   string
	Replies []*Reply
	Updated time.Time
}

var (
	mutex   sync.RWMutex
	threads = map[string]*Thread{}
)

// GetThread returns the thread with the given id.
func GetThread(id string) (*Thread, error) {
	mutex.RLock() // heldout:site
	defer mutex.RUnlock()
	return getThreadLocked(id)
}

func getThreadLocked(id string) (*Thread, error) {
	t, ok := threads[id]
	if !ok {
		return nil, ErrNotFound
	}
	return t, nil
}

// getThread is used by the handlers below, which hold mutex.
func getThread(id string) (*Thread, error) {
	return GetThread(id)
}

// PostThread starts a thread.
func PostThread(id, author, title string) {
	mutex.Lock() // heldout:site
	defer mutex.Unlock()
	threads[id] = &Thread{ID: id, Author: author, Title: title, Updated: time.Now()}
}

// AddReply appends a reply to a thread.
func AddReply(id, author, content string) error {
	mutex.Lock()
	defer mutex.Unlock()
	t, err := getThread(id) // heldout:site
	if err != nil {
		return err
	}
	t.Replies = append(t.Replies, &Reply{Author: author, Content: content, Created: time.Now()})
	t.Updated = time.Now()
	return nil
}

// renderThread renders a thread and its replies, newest first.
func renderThread(id string) (string, error) {
	mutex.RLock()
	defer mutex.RUnlock()
	t, err := getThread(id) // heldout:site
	if err != nil {
		return "", err
	}
	replies := append([]*Reply(nil), t.Replies...)
	sort.Slice(replies, func(i, j int) bool { return replies[i].Created.After(replies[j].Created) })
	var b strings.Builder
	fmt.Fprintf(&b, "%s by %s\n", t.Title, t.Author)
	for _, r := range replies {
		fmt.Fprintf(&b, "  %s: %s\n", r.Author, r.Content)
	}
	return b.String(), nil
}
